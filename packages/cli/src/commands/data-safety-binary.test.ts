// Through the apb binary: nothing is overwritten or misfiled without a word (issue 10).
import { initBackend } from '@apb/backend';
import { saveModel } from '@apb/layers';
import { acquireRunLease, planReproduction, type RunLease } from '@apb/scenarios';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeBandsDataset } from '../testing-internal/idx-fixtures.js';
import { fixtureReproduction, writeFixtureRuns } from '../testing-internal/fixtures.js';
import { BIN, ourLines, runBin, type BinResult } from '../testing-internal/run-bin.js';

let dir: string;
/** A learnable 10-class data set of 28x28 IDX files, named after its folder. */
let bands: string;
/** A complete run trained on `bands`. */
let run: string;
let runJson: string;

const trainArgs = (data: string, out: string, extra: string[] = []) => [
  'train', '--dataset-dir', data, '--epochs', '1', '--batch-size', '20', '--eval-attacks', 'fgsm,pgd', '--eval-diagnostics', 'false', '--backend', 'wasm', '--out', out, ...extra,
];

/** The lines of ours on stderr, and the proof that there was exactly one error line. */
function oneError(result: BinResult): string {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).not.toContain('    at ');
  const lines = ourLines(result.stderr).filter((line) => !line.startsWith('  suggestion:'));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).not.toMatch(/unexpected error/);
  return lines[0]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-safety-'));
  bands = join(dir, 'Bands');
  await writeBandsDataset(bands, 200, 'train');
  await writeBandsDataset(bands, 40, 't10k');
  run = join(dir, 'runs', 'bands-run');
  runJson = join(run, 'run.json');
  const trained = await runBin(trainArgs(bands, run), { timeoutMs: 120_000 });
  expect(trained.code, trained.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('apb train', () => {
  it('names --dataset-dir data after its folder, not mnist, and leaves no lease behind', async () => {
    const record = JSON.parse(await readFile(runJson, 'utf8')) as { id: string; config: { dataset: string } };
    expect(record.config.dataset).toBe('bands');
    expect(record.id).toMatch(/^bands-/);
    expect(await readdir(run)).not.toContain('lease.json');
  });

  it('refuses an --out that is a file, or inside one, at once and leaves the file as it was', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'keep me');
    for (const out of [file, join(file, 'run')]) {
      const line = oneError(await runBin(trainArgs(bands, out), { timeoutMs: 60_000 }));
      expect(line).toMatch(new RegExp(`^apb: Cannot write the run folder ${out}: ${file} is a file, not a folder\\.$`));
    }
    expect(await readFile(file, 'utf8')).toBe('keep me');
  }, 120_000);

  it.runIf(process.platform === 'linux')('refuses an --out under /proc at once instead of spinning', async () => {
    const result = await runBin(trainArgs(bands, '/proc/apb-run/x'), { timeoutMs: 30_000 });
    expect(result.signal).toBeNull();
    expect(oneError(result)).toMatch(/^apb: Cannot write the run folder \/proc\/apb-run\/x: /);
  }, 60_000);

  it.runIf(process.getuid?.() !== 0)('refuses an --out in a folder it cannot write', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    try {
      expect(oneError(await runBin(trainArgs(bands, join(locked, 'run')), { timeoutMs: 60_000 }))).toMatch(/permission denied/);
    } finally {
      await chmod(locked, 0o755);
    }
  }, 60_000);

  it('refuses a run folder another live apb train is writing, naming it, and takes over a dead one', async () => {
    const out = join(dir, 'runs', 'shared');
    const first: ChildProcess = spawn(process.execPath, [BIN, ...trainArgs(bands, out, ['--epochs', '6'])], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let firstStderr = '';
    first.stderr!.on('data', (chunk: Buffer) => (firstStderr += chunk.toString()));
    const firstExit = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
    const started = Date.now();
    while (!existsSync(join(out, 'lease.json'))) {
      if (first.exitCode !== null || Date.now() - started > 60_000) throw new Error(`the first train never leased ${out}: ${firstStderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const second = await runBin(trainArgs(bands, out, ['--epochs', '6']), { timeoutMs: 60_000 });
    expect(oneError(second)).toMatch(new RegExp(`^apb: ${out} is in use by another apb process: pid ${first.pid} on ${hostname()}, since `));
    expect(await firstExit, firstStderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'complete' });

    // A lease whose process is gone (killed, say) does not lock the folder forever.
    const stale = join(dir, 'runs', 'stale');
    await mkdir(stale, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(stale, 'lease.json'), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString(), token: 'dead' }));
    const taken = await runBin(trainArgs(bands, stale), { timeoutMs: 120_000 });
    expect(taken.code, taken.stderr).toBe(0);
    expect(existsSync(join(stale, 'lease.json'))).toBe(false);
  }, 240_000);

  it('refuses a label the LeNet has no class for, in one line, before training', async () => {
    const data = join(dir, 'label-42');
    await writeBandsDataset(data, 60, 'train', { label: (i) => (i === 7 ? 42 : i % 10) });
    await writeBandsDataset(data, 20, 't10k');
    const out = join(dir, 'runs', 'label-42');
    expect(oneError(await runBin(trainArgs(data, out), { timeoutMs: 60_000 }))).toBe(
      `apb: ${join(data, 'train-labels-idx1-ubyte.gz')}: label 42 is out of range for the model, which has 10 classes (0..9).`,
    );
    expect(existsSync(join(out, 'run.json'))).toBe(false);
    expect(existsSync(join(out, 'lease.json'))).toBe(false);
  }, 60_000);

  it('refuses images of another size than the LeNet takes, in one line', async () => {
    const data = join(dir, 'big-images');
    await writeBandsDataset(data, 40, 'train', { size: 32 });
    await writeBandsDataset(data, 20, 't10k', { size: 32 });
    expect(oneError(await runBin(trainArgs(data, join(dir, 'runs', 'big')), { timeoutMs: 60_000 }))).toBe('apb: Data set big-images has 32x32 images but the model takes 28x28.');
  }, 60_000);
});

describe('apb eval', () => {
  const evalArgs = (extra: string[]) => ['eval', '--model', run, '--data-dir', bands, '--backend', 'wasm', '--eval-attacks', 'fgsm', '--eval-diagnostics', 'false', ...extra];

  it('never writes over run.json, even with --force', async () => {
    const before = await readFile(runJson, 'utf8');
    for (const force of [[], ['--force']]) {
      const result = await runBin(evalArgs(['--out', runJson, ...force]), { timeoutMs: 60_000 });
      expect(oneError(result)).toBe(`apb: --out ${runJson} would replace a training record (run.json).`);
    }
    expect(await readFile(runJson, 'utf8')).toBe(before);
  }, 120_000);

  it('refuses an existing --out unless --force, and checks it before evaluating anything', async () => {
    const out = join(dir, 'eval-out.json');
    await writeFile(out, 'earlier results');
    const refused = await runBin(evalArgs(['--out', out]), { timeoutMs: 60_000 });
    expect(oneError(refused)).toBe(`apb: --out ${out} already exists.`);
    // No attack started: the check came first.
    expect(refused.stderr).not.toMatch(/^eval: /m);
    expect(await readFile(out, 'utf8')).toBe('earlier results');

    const forced = await runBin(evalArgs(['--out', out, '--force']), { timeoutMs: 120_000 });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ kind: 'apb-eval', dataset: 'bands' });
  }, 180_000);

  it('refuses an --out it cannot write before evaluating anything', async () => {
    for (const out of [join(runJson, 'eval.json'), '/proc/apb-eval/eval.json']) {
      const result = await runBin(evalArgs(['--out', out]), { timeoutMs: 60_000 });
      expect(oneError(result)).toMatch(/^apb: Cannot write the folder of --out /);
      expect(result.stderr).not.toMatch(/^eval: /m);
    }
  }, 120_000);

  it("uses apb train's evaluation defaults: the same PGD and subsets give the run's own numbers", async () => {
    const record = JSON.parse(await readFile(runJson, 'utf8')) as { config: { evaluation: Record<string, unknown> }; evaluation: { attacks: { attack: string; eps: number; accuracy: number; n: number }[] } };
    const result = await runBin(['eval', '--model', run, '--data-dir', bands, '--backend', 'wasm', '--eval-attacks', 'fgsm,pgd', '--eval-diagnostics', 'false', '--out', join(dir, 'same.json'), '--json'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const evaluated = JSON.parse(result.stdout) as { plan: Record<string, unknown>; evaluation: { attacks: { attack: string; eps: number; accuracy: number; n: number }[] } };
    for (const key of ['eps', 'pgdSteps', 'pgdRestarts', 'pgdLimit', 'squareQueries', 'squareLimit', 'diagnosticsLimit']) expect(evaluated.plan[key], key).toEqual(record.config.evaluation[key]);
    const strip = (attacks: { attack: string; eps: number; accuracy: number; n: number }[]) => attacks.map(({ attack, eps, accuracy, n }) => ({ attack, eps, accuracy, n }));
    expect(strip(evaluated.evaluation.attacks)).toEqual(strip(record.evaluation.attacks));
    // Progress, one line per attack, when stderr is not a terminal.
    expect(result.stderr).toMatch(/^eval: fgsm eps 0\.3 \(40 images\)$/m);
    expect(result.stderr).toMatch(/^eval: pgd eps 0\.3 \(40 images\)$/m);
  }, 180_000);

  it('keeps its result beside run.json, refuses to redo it without --force, and apb report shows it', async () => {
    const first = await runBin(evalArgs(['--eval-eps', '0.2']), { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const kept = (await readdir(run)).filter((name) => /^eval-bands-[0-9a-f]{8}\.json$/.test(name));
    expect(kept).toHaveLength(1);
    expect(first.stdout).toContain(`wrote ${join(run, kept[0]!)}`);
    const text = await readFile(join(run, kept[0]!), 'utf8');
    const saved = JSON.parse(text) as { model: string; run: string; evaluation: { clean: { accuracy: number; n: number }; attacks: { accuracy: number; n: number }[] } };
    // Portable like run.json: the record names the model relative to itself and no folder of this machine.
    expect(saved.model).toBe('.');
    expect(text).not.toContain(dir);

    const again = await runBin(evalArgs(['--eval-eps', '0.2']), { timeoutMs: 60_000 });
    expect(oneError(again)).toBe(`apb: the evaluation record ${join(run, kept[0]!)} already exists.`);

    const report = await runBin(['report', join(dir, 'runs')], { timeoutMs: 60_000 });
    expect(report.code, report.stderr).toBe(0);
    const markdown = await readFile(join(dir, 'runs', 'report.md'), 'utf8');
    expect(markdown).toContain('## Evaluations by apb eval');
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    expect(markdown).toContain(`| bands-run/${kept[0]} | bands | ${pct(saved.evaluation.clean.accuracy)} (n=40) | fgsm eps 0.2: ${pct(saved.evaluation.attacks[0]!.accuracy)} (n=40) |`);
  }, 240_000);

  describe('on data the model does not fit', () => {
    let fiveClasses: string;
    beforeAll(async () => {
      await initBackend({ backend: 'cpu' });
      const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 5 })] });
      fiveClasses = join(dir, 'five-classes');
      await saveModel(model, fiveClasses);
      model.dispose();
    });

    it('refuses a model with fewer classes than the data set, in one line', async () => {
      const result = await runBin(['eval', '--model', fiveClasses, '--data-dir', bands, '--backend', 'wasm'], { timeoutMs: 60_000 });
      expect(oneError(result)).toBe(`apb: ${join(bands, 't10k-labels-idx1-ubyte.gz')}: label 9 is out of range for model ${fiveClasses}, which has 5 classes (0..4).`);
    }, 60_000);

    it.runIf(process.env.APB_DATA_DIR !== undefined)('refuses a 5-class model on MNIST', async () => {
      const result = await runBin(['eval', '--model', fiveClasses, '--dataset', 'mnist', '--test-limit', '100', '--backend', 'wasm'], { timeoutMs: 60_000 });
      expect(oneError(result)).toMatch(/label 9 is out of range for model .*, which has 5 classes/);
    }, 60_000);
  });
});

describe('apb report', () => {
  it('reports the runs it can read and lists the corrupt ones it skipped', async () => {
    const folder = join(dir, 'report-with-corrupt');
    await writeFixtureRuns(folder, fixtureReproduction());
    await mkdir(join(folder, 'torn'));
    await writeFile(join(folder, 'torn', 'run.json'), '{"schemaVersion": 1,');
    await mkdir(join(folder, 'odd'));
    await writeFile(join(folder, 'odd', 'run.json'), JSON.stringify({ schemaVersion: 1, id: 'x' }));
    const result = await runBin(['report', folder], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('apb: skipped: torn/run.json is not valid JSON.');
    const markdown = await readFile(join(folder, 'report.md'), 'utf8');
    expect(markdown).toContain('## Files skipped (unreadable or invalid)\n\n- odd/run.json is not a valid run record: field ');
    expect(markdown).toContain('- torn/run.json is not valid JSON.');
    expect(markdown).toContain('| mnist | clean | apb | 99.17% | 91.00% | 98.88% | 60.00% |');
  }, 60_000);
});

describe('apb reproduce', () => {
  it('leaves every run another process holds to it instead of training it again', async () => {
    const out = join(dir, 'reproduce-held');
    const specs = planReproduction({ figure: '3b', preset: 'smoke' });
    // This test process is alive: its leases are those of a reproduction still running.
    const leases: RunLease[] = [];
    for (const spec of specs) {
      await mkdir(join(out, spec.id), { recursive: true });
      leases.push(await acquireRunLease(join(out, spec.id)));
    }
    try {
      const result = await runBin(['reproduce', '--figure', '3b', '--preset', 'smoke', '--out', out, '--no-report', '--backend', 'wasm', '--json'], { timeoutMs: 60_000 });
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as { runs: { id: string; outcome: string; error?: string }[] };
      expect(summary.runs.length).toBe(specs.length);
      for (const entry of summary.runs) {
        expect(['held', 'blocked'], entry.id).toContain(entry.outcome);
        if (entry.outcome === 'held') expect(entry.error).toContain(`pid ${process.pid}`);
      }
      expect(summary.runs.some((entry) => entry.outcome === 'held')).toBe(true);
      for (const spec of specs) expect(existsSync(join(out, spec.id, 'run.json')), spec.id).toBe(false);
    } finally {
      for (const lease of leases) await lease.release();
    }
  }, 90_000);
});
