import { initBackend, listBackends } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from './run-record-io.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { trainRun, type TrainProgress } from './train-run.js';
import type { TrainConfigInput } from './train-config.js';

let root: string;
let datasetDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-resume-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 150, test: 30 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const nativeAvailable = (await listBackends()).find((entry) => entry.backend === 'native')?.available === true;

const config = (backend: 'wasm' | 'native' = 'wasm'): TrainConfigInput => ({
  dataset: 'synthetic',
  datasetDir,
  backend,
  model: 'lenet-apb',
  epochs: 3,
  batchSize: 50,
  lr: 0.003,
  seed: 5,
  evaluation: { attacks: [], diagnostics: false },
});

describe('resume', () => {
  it('continues a run interrupted mid-epoch from its last checkpoint and ends like an uninterrupted run', async () => {
    const controller = new AbortController();
    const interruptedDir = join(root, 'interrupted');
    const onProgress = (event: TrainProgress) => {
      // Stop in the middle of the second epoch (after its first of three batches).
      if (event.type === 'batch' && event.epoch === 2 && event.batch === 1) controller.abort();
    };
    const before = tf.memory().numTensors;
    const interrupted = await trainRun(config(), { outDir: interruptedDir, signal: controller.signal, onProgress });
    expect(tf.memory().numTensors).toBe(before);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.history.map((entry) => entry.epoch)).toEqual([1]);
    expect((await readRunRecord(join(interruptedDir, 'run.json'))).status).toBe('interrupted');
    expect(await readdir(join(interruptedDir, 'checkpoints'))).toEqual(['epoch-0001']);

    const epochsSeen: number[] = [];
    const resumed = await trainRun(config(), {
      outDir: interruptedDir,
      resume: true,
      onProgress: (event) => event.type === 'epoch' && epochsSeen.push(event.entry.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochsSeen).toEqual([2, 3]);
    expect(resumed.status).toBe('complete');
    expect(resumed.config).toEqual(interrupted.config);
    expect(resumed.createdAt).toBe(interrupted.createdAt);
    expect(resumed.cost.seconds).toBeGreaterThan(interrupted.cost.seconds);
    expect(resumed.history.map((entry) => entry.epoch)).toEqual([1, 2, 3]);
    expect(resumed.history[0]).toEqual(interrupted.history[0]);

    // Batches, attacks and initial weights are seeded and the checkpoint keeps the weights (APB
    // included) and Adam's state, so the resumed run ends exactly like an uninterrupted one.
    const straight = await trainRun(config(), { outDir: join(root, 'straight') });
    expect(resumed.history.map((entry) => [entry.loss, entry.trainAccuracy])).toEqual(straight.history.map((entry) => [entry.loss, entry.trainAccuracy]));
    expect(resumed.evaluation).toEqual(straight.evaluation);
  });

  it.skipIf(!nativeAvailable)('resumes a native-backend run (fused Adam step) exactly from its checkpoint', async () => {
    const controller = new AbortController();
    const outDir = join(root, 'native-interrupted');
    const onProgress = (event: TrainProgress) => event.type === 'batch' && event.epoch === 2 && event.batch === 2 && controller.abort();
    expect((await trainRun(config('native'), { outDir, signal: controller.signal, onProgress })).status).toBe('interrupted');
    const resumed = await trainRun(config('native'), { outDir, resume: true });
    const straight = await trainRun(config('native'), { outDir: join(root, 'native-straight') });
    expect(resumed.backend.name).toBe('native');
    expect(resumed.history.map((entry) => [entry.loss, entry.trainAccuracy])).toEqual(straight.history.map((entry) => [entry.loss, entry.trainAccuracy]));
    await initBackend({ backend: 'wasm' });
  });

  it('returns a complete run as it is when asked to resume it', async () => {
    const outDir = join(root, 'straight');
    const before = await readRunRecord(join(outDir, 'run.json'));
    const again = await trainRun(config(), { outDir, resume: true });
    expect(again).toEqual(before);
  });
});
