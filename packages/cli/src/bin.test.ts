import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReproduction, writeFixtureRuns } from './testing-internal/fixtures.js';
import { ourLines, runBin } from './testing-internal/run-bin.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-bin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the apb binary', () => {
  it('prints help with examples for the program and every command, exit code 0', async () => {
    for (const args of [['--help'], ['train', '--help'], ['eval', '--help'], ['reproduce', '--help'], ['report', '--help'], ['datasets', 'verify', '--help'], ['bench', '--help']]) {
      const result = await runBin(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toContain('Examples:');
    }
  });

  it('lists every train flag of the issue in its help', async () => {
    const { stdout } = await runBin(['train', '--help']);
    for (const flag of ['--dataset', '--model', '--apb', '--memories', '--apb-eps', '--apb-direction', '--apb-mode', '--scenario', '--adversarial-source', '--method', '--attack-eps', '--epochs', '--batch-size', '--lr', '--seed', '--train-limit', '--test-limit', '--data-dir', '--backend', '--out', '--resume', '--json']) {
      expect(stdout).toContain(`${flag} `);
    }
  });

  it.each([
    [['frobnicate'], /^apb: unknown command 'frobnicate'/],
    [['train', '--datset', 'mnist', '--out', 'x'], /^apb: unknown option '--datset' \(Did you mean --dataset\?\)/],
    [['train', '--epochs', 'abc', '--out', 'x'], /^apb: --epochs: must be a whole number|^apb: --epochs: .*number/],
    [['train', '--dataset', 'CIFAR', '--out', 'x'], /^apb: --dataset: must be a lowercase name/],
    [['train', '--dataset', 'cifar', '--out', 'x'], /^apb: Invalid training option --dataset: "cifar" is not/],
    [['train', '--model', 'lenet', '--apb', 'naive', '--out', 'x'], /^apb: Invalid training option --apb: /],
    [['train', '--epochs', '2'], /^apb: --out: is required/],
    [['eval', '--dataset', 'mnist'], /^apb: --model: is required/],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--attacks', 'fgsm,cw'], /^apb: --attacks\.1: /],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--attacks', 'transfer'], /^apb: --transfer-from: is required/],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--eps', '1.5'], /^apb: --eps\.0: must be at most 1/],
    [['reproduce', '--preset', 'huge'], /^apb: --preset: /],
    [['reproduce', '--figure', '4'], /^apb: --figure: /],
    [['reproduce', '--jobs', '0'], /^apb: --jobs: must be at least 1/],
    [['report'], /^apb: missing required argument 'dir'/],
    [['datasets', 'download'], /^apb: unknown command 'download'/],
  ])('rejects %j with exit code 1 and one line', async (args, pattern) => {
    const result = await runBin(args, { cwd: dir });
    expect(result.code).toBe(1);
    const lines = ourLines(result.stderr);
    expect(lines[0]).toMatch(pattern);
    expect(lines.filter((line) => !line.startsWith('  suggestion:'))).toHaveLength(1);
    expect(result.stderr).not.toContain('    at ');
  });

  it('shows the stack trace of an unexpected error only with --debug', async () => {
    await mkdir(join(dir, 'torn'), { recursive: true });
    await writeFile(join(dir, 'torn', 'run.json'), '{');
    const plain = await runBin(['report', join(dir, 'torn')]);
    expect(plain.code).toBe(1);
    expect(ourLines(plain.stderr)[0]).toBe(`apb: ${join(dir, 'torn', 'run.json')} is not valid JSON.`);
    const debug = await runBin(['report', join(dir, 'torn'), '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('reports a missing dataset folder in one line', async () => {
    const empty = join(dir, 'no-data');
    await mkdir(empty, { recursive: true });
    const model = join(dir, 'no-model');
    const result = await runBin(['eval', '--model', model, '--dataset', 'mnist', '--data-dir', empty, '--backend', 'cpu'], { env: { APB_DATA_DIR: undefined, XDG_CACHE_HOME: empty } });
    expect(result.code).toBe(1);
    const lines = ourLines(result.stderr);
    expect(lines[0]).toMatch(/^apb: .*(mnist|t10k)/);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it('writes the report from run.json files and prints where', async () => {
    const reportDir = join(dir, 'report');
    await writeFixtureRuns(reportDir, fixtureReproduction());
    const result = await runBin(['report', reportDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(join(reportDir, 'report.html'));
    expect(await readFile(join(reportDir, 'report.md'), 'utf8')).toContain('# APB reproduction report');
    const json = await runBin(['report', reportDir, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ charts: ['figure-2', 'figure-3a', 'figure-3b'] });
  });
});
