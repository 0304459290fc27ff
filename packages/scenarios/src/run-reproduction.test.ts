import { initBackend } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSpec } from './plan.js';
import { acquireRunLease } from './run-lease.js';
import { readRunRecord } from './run-record-io.js';
import { runReproduction } from './run-reproduction.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { resolveTrainConfig, runIdFor, type TrainConfigInput } from './train-config.js';

let root: string;
let datasetDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-reproduction-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 100, test: 30 });
  // The worker runs from dist (plain Node cannot run the TypeScript sources).
  await promisify(execFile)('pnpm', ['exec', 'tsc', '-b', 'tsconfig.build.json'], { cwd: join(import.meta.dirname, '..') });
}, 240_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const trainSpec = (input: TrainConfigInput): RunSpec => {
  const config = resolveTrainConfig({
    dataset: 'synthetic',
    datasetDir,
    backend: 'wasm',
    epochs: 1,
    batchSize: 50,
    lr: 0.003,
    evaluation: { attacks: [], diagnostics: false },
    ...input,
  });
  return { id: runIdFor(config), kind: 'train', config, dependsOn: [], roles: ['test'] };
};

describe('runReproduction', () => {
  it('runs two independent specs in two worker processes, then skips them when restarted', async () => {
    const outDir = join(root, 'parallel');
    const specs = [trainSpec({ model: 'lenet' }), trainSpec({ model: 'lenet-apb' })];
    const started: string[] = [];
    const summary = await runReproduction({ specs, outDir, jobs: 2, onProgress: (event) => event.type === 'start' && started.push(event.id) });
    expect(summary.runs.map((run) => [run.id, run.outcome])).toEqual([
      ['synthetic-clean-classical-s1', 'complete'],
      ['synthetic-clean-apb-naive-s1', 'complete'],
    ]);
    expect(started).toHaveLength(2);
    const records = await Promise.all(summary.runs.map((run) => readRunRecord(run.runJson)));
    expect(records.map((record) => record.config.model)).toEqual(['lenet', 'lenet-apb']);
    const written = JSON.parse(await readFile(join(outDir, 'reproduction.json'), 'utf8'));
    expect(written.runs).toHaveLength(2);
    // Portable: the folder can be moved or committed without naming this machine's paths.
    expect(written.outDir).toBe('.');
    expect(written.runs.map((run: { runJson: string }) => run.runJson)).toEqual(['synthetic-clean-classical-s1/run.json', 'synthetic-clean-apb-naive-s1/run.json']);

    const again = await runReproduction({ specs, outDir, jobs: 2 });
    expect(again.runs.map((run) => run.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('runs an evaluation-only spec on the model of the run it depends on', async () => {
    const outDir = join(root, 'sweep');
    const train = trainSpec({ model: 'lenet-apb' });
    const sweep: RunSpec = {
      id: `${train.id}-fgsm-sweep`,
      kind: 'evaluate',
      config: { ...train.config, evaluation: { ...train.config.evaluation, attacks: ['fgsm'], eps: [0.1, 0.3] } },
      from: train.id,
      dependsOn: [train.id],
      roles: ['figure-3a'],
    };
    const before = tf.memory().numTensors;
    const summary = await runReproduction({ specs: [train, sweep], outDir, jobs: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.runs.map((run) => run.outcome)).toEqual(['complete', 'complete']);
    const trained = await readRunRecord(join(outDir, train.id, 'run.json'));
    const evaluated = await readRunRecord(join(outDir, sweep.id, 'run.json'));
    expect(evaluated.evaluation!.attacks.map((attack) => attack.eps)).toEqual([0.1, 0.3]);
    expect(evaluated.evaluation!.clean).toEqual(trained.evaluation!.clean);
    expect(evaluated.history).toEqual(trained.history);
    expect(evaluated).toMatchObject({ evaluatedFrom: train.id });
  });

  it('trains a complete run again when a spec to run needs its model and the folder kept only run.json', async () => {
    const outDir = join(root, 'records-only');
    const train = trainSpec({ model: 'lenet-apb', seed: 21, evaluation: { attacks: ['fgsm'], diagnostics: false } });
    const evaluate = (id: string, eps: number[]): RunSpec => ({
      id,
      kind: 'evaluate',
      config: { ...train.config, evaluation: { ...train.config.evaluation, attacks: ['fgsm'], eps } },
      from: train.id,
      dependsOn: [train.id],
      roles: ['test'],
    });
    await runReproduction({ specs: [train, evaluate('first', [0.3])], outDir, jobs: 1 });
    const before = await readRunRecord(join(outDir, train.id, 'run.json'));
    // A committed results folder: records kept, weights and checkpoints not.
    await rm(join(outDir, train.id, 'model'), { recursive: true });
    await rm(join(outDir, train.id, 'checkpoints'), { recursive: true });
    const unaffected = await runReproduction({ specs: [train, evaluate('first', [0.3])], outDir, jobs: 1 });
    expect(unaffected.runs.map((run) => run.outcome)).toEqual(['skipped', 'skipped']);
    const summary = await runReproduction({ specs: [train, evaluate('second', [0.1])], outDir, jobs: 1 });
    expect(summary.runs.map((run) => run.outcome)).toEqual(['complete', 'complete']);
    expect(existsSync(join(outDir, train.id, 'model', 'model.json'))).toBe(true);
    const after = await readRunRecord(join(outDir, train.id, 'run.json'));
    // Seeded training gives the same model again, so the record's numbers stand.
    expect(after.evaluation!.attacks.map((attack) => attack.accuracy)).toEqual(before.evaluation!.attacks.map((attack) => attack.accuracy));
    expect(after.history.map((entry) => entry.loss)).toEqual(before.history.map((entry) => entry.loss));
    expect(after.createdAt).toBe(before.createdAt);
  });

  it('stops at an abort signal, leaving the running spec interrupted and the rest not started', async () => {
    const outDir = join(root, 'aborted');
    const controller = new AbortController();
    const specs = [trainSpec({ seed: 11, epochs: 2 }), trainSpec({ seed: 12 })];
    const summary = await runReproduction({
      specs,
      outDir,
      signal: controller.signal,
      onProgress: (event) => event.type === 'run' && event.event.type === 'batch' && controller.abort(),
    });
    expect(summary.runs.map((run) => run.outcome)).toEqual(['interrupted', 'pending']);
    expect((await readRunRecord(summary.runs[0]!.runJson)).status).toBe('interrupted');
    const resumed = await runReproduction({ specs, outDir });
    expect(resumed.runs.map((run) => run.outcome)).toEqual(['complete', 'complete']);
  });

  it('forwards an abort to its worker processes, whose runs end interrupted', async () => {
    const outDir = join(root, 'aborted-workers');
    const controller = new AbortController();
    const specs = [trainSpec({ seed: 21, epochs: 3 }), trainSpec({ seed: 22, epochs: 3 })];
    const summary = await runReproduction({
      specs,
      outDir,
      jobs: 2,
      signal: controller.signal,
      onProgress: (event) => event.type === 'run' && event.event.type === 'batch' && event.event.epoch === 2 && controller.abort(),
    });
    expect(summary.runs.map((run) => run.outcome)).toContain('interrupted');
    const records = await Promise.all(summary.runs.filter((run) => run.outcome === 'interrupted').map((run) => readRunRecord(run.runJson)));
    expect(records.every((record) => record.status === 'interrupted' && record.history.length < 3)).toBe(true);
  });

  it('marks runs whose dependency failed as blocked and goes on with the others', async () => {
    const outDir = join(root, 'blocked');
    const failing = trainSpec({ lr: 1e30, epochs: 2 });
    const dependent: RunSpec = { ...trainSpec({ seed: 9 }), dependsOn: [failing.id] };
    const independent = trainSpec({ seed: 4 });
    const summary = await runReproduction({ specs: [failing, dependent, independent], outDir });
    expect(summary.runs.map((run) => run.outcome)).toEqual(['failed', 'blocked', 'complete']);
    expect(summary.runs[0]!.error).toMatch(/loss became/);
  });

  it('leaves a run another live process holds to that process, in this process and in workers', async () => {
    for (const jobs of [1, 2]) {
      const outDir = join(root, `held-${jobs}`);
      const held = trainSpec({ seed: 31 });
      const dependent: RunSpec = { ...trainSpec({ seed: 32 }), dependsOn: [held.id] };
      const independent = trainSpec({ seed: 33 });
      // This test process is alive, so its lease is a live holder's.
      await mkdir(join(outDir, held.id), { recursive: true });
      const lease = await acquireRunLease(join(outDir, held.id));
      try {
        const summary = await runReproduction({ specs: [held, dependent, independent], outDir, jobs });
        expect(summary.runs.map((run) => run.outcome), `jobs ${jobs}`).toEqual(['held', 'blocked', 'complete']);
        expect(summary.runs[0]!.error).toContain(`pid ${process.pid}`);
        expect(existsSync(join(outDir, held.id, 'run.json'))).toBe(false);
      } finally {
        await lease.release();
      }
    }
  });
});
