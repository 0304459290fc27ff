import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeIdx } from '@apb/datasets';

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
    const commands = [['--help'], ['train', '--help'], ['eval', '--help'], ['reproduce', '--help'], ['report', '--help'], ['datasets', '--help'], ['datasets', 'verify', '--help'], ['bench', '--help'], ['worker', '--help'], ['status', '--help']];
    const results = await Promise.all(commands.map((args) => runBin(args)));
    results.forEach((result, index) => {
      const name = commands[index]!.join(' ');
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toContain('Examples:');
    });
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
    [['train', '--model', 'resnet', '--out', 'x'], /^apb: Invalid training option --model: "resnet" is not a registered model/],
    [['train', '--epochs', '2'], /^apb: --out: is required/],
    [['eval', '--dataset', 'mnist'], /^apb: --model: is required/],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--eval-attacks', 'fgsm,cw'], /^apb: --eval-attacks\.1: /],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--eval-attacks', 'transfer'], /^apb: --transfer-from: is required/],
    [['eval', '--model', 'm', '--dataset', 'mnist', '--eval-eps', '1.5'], /^apb: --eval-eps\.0: must be at most 1/],
    [['reproduce', '--preset', 'huge'], /^apb: --preset: /],
    [['reproduce', '--figure', '4'], /^apb: --figure: /],
    [['reproduce', '--jobs', '0'], /^apb: --jobs: must be at least 1/],
    [['reproduce', '--seeds', '1,x'], /^apb: --seeds\.1: must be numbers/],
    [['reproduce', '--seeds', '1,1'], /^apb: Seeds must be distinct/],
    [['report'], /^apb: missing required argument 'dir'/],
    [['worker'], /^apb: --queue: is required/],
    [['status', '--queue', 'localhost:6379'], /^apb: --queue localhost:6379 is not a Redis URL/],
    [['worker', '--queue', 'redis://127.0.0.1:1'], /^apb: Cannot reach the Redis of --queue redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/],
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
    expect(JSON.parse(json.stdout)).toMatchObject({ charts: ['figure-2', 'figure-3a', 'figure-3b', 'figure-3b-seeds'] });
  }, 60_000);
});

describe('apb train and apb eval on a folder of IDX files of your own', () => {
  /** A seeded synthetic data set: class k lights up row band k, so a LeNet can learn it quickly. */
  async function writeSyntheticDataset(folder: string, count: number, split: 'train' | 't10k'): Promise<void> {
    const images = new Uint8Array(count * 28 * 28);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    labels.forEach((label, i) => {
      for (let row = label * 2 + 4; row < label * 2 + 6; row++) images.fill(255, i * 784 + row * 28 + 4, i * 784 + row * 28 + 24);
    });
    await writeIdx(join(folder, `${split}-images-idx3-ubyte.gz`), { shape: [count, 28, 28], data: images });
    await writeIdx(join(folder, `${split}-labels-idx1-ubyte.gz`), { shape: [count], data: labels });
  }

  it('trains, writes run.json and both model folders, and evaluates the saved model', async () => {
    const data = join(dir, 'bands');
    await writeSyntheticDataset(data, 200, 'train');
    await writeSyntheticDataset(data, 40, 't10k');
    const out = join(dir, 'bands-run');
    const train = await runBin(
      ['train', '--dataset', 'bands', '--dataset-dir', data, '--model', 'lenet-apb', '--epochs', '2', '--batch-size', '20', '--eval-attacks', 'fgsm', '--eval-diagnostics', 'false', '--backend', 'wasm', '--out', out, '--json'],
      { timeoutMs: 120_000 },
    );
    expect(train.code, train.stderr).toBe(0);
    const record = JSON.parse(train.stdout) as { status: string; config: { dataset: string; datasetDir: string }; history: unknown[]; evaluation: { clean: { accuracy: number; n: number } } };
    expect(record).toMatchObject({ status: 'complete', config: { dataset: 'bands', datasetDir: data } });
    expect(record.history).toHaveLength(2);
    expect(record.evaluation.clean.n).toBe(40);
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8'))).toEqual(record);
    await readFile(join(out, 'model-folded', 'model.json'), 'utf8');

    const evaluated = await runBin(['eval', '--model', out, '--data-dir', data, '--eval-attacks', 'fgsm,noise', '--eval-eps', '0.1', '--eval-diagnostics-limit', '8', '--backend', 'wasm', '--json'], { timeoutMs: 120_000 });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = JSON.parse(evaluated.stdout) as { dataset: string; evaluation: { clean: { accuracy: number; n: number }; attacks: { attack: string; eps: number }[] } };
    expect(result.dataset).toBe('bands');
    expect(result.evaluation.clean.n).toBe(40);
    // Same model, same 40 images, inference only: eval's clean accuracy is train's.
    expect(result.evaluation.clean.accuracy).toBe(record.evaluation.clean.accuracy);
    expect(result.evaluation.attacks.map((a) => `${a.attack}@${a.eps}`)).toEqual(['fgsm@0.1', 'noise@0.1']);
  }, 240_000);
});
