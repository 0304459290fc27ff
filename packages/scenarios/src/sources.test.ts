import { initBackend } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from './run-record-io.js';
import { sourceDirectoryFor } from './sources.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { resolveTrainConfig, type TrainConfigInput } from './train-config.js';
import { trainRun, type TrainProgress } from './train-run.js';

let root: string;
let datasetDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-sources-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 100, test: 30 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (extra: TrainConfigInput): TrainConfigInput => ({
  dataset: 'synthetic',
  datasetDir,
  backend: 'wasm',
  epochs: 1,
  batchSize: 50,
  lr: 0.003,
  seed: 2,
  adversarialSource: 'precomputed',
  evaluation: { attacks: ['transfer'], eps: [0.2], pgdSteps: 2, pgdLimit: 20, diagnostics: false },
  ...extra,
});

describe('source models', () => {
  it('trains the precomputed and transfer sources once beside the runs and reuses them for sibling runs', async () => {
    const runs = join(root, 'runs');
    const initial = tf.memory().numTensors;
    const events: TrainProgress[] = [];
    const first = await trainRun(config({ scenario: 'adversarial' }), { outDir: join(runs, 'a'), onProgress: (event) => events.push(event) });
    expect(tf.memory().numTensors).toBe(initial);
    const precomputedDir = sourceDirectoryFor(resolveTrainConfig(config({ scenario: 'adversarial' })), 'precomputed', join(runs, 'a'));
    const transferDir = sourceDirectoryFor(resolveTrainConfig(config({ scenario: 'adversarial' })), 'transfer', join(runs, 'a'));
    expect((await readdir(join(runs, 'sources'))).sort()).toEqual(
      [precomputedDir, transferDir].map((path) => path.slice(join(runs, 'sources').length + 1)).sort(),
    );
    const precomputed = await readRunRecord(join(precomputedDir, 'run.json'));
    const transfer = await readRunRecord(join(transferDir, 'run.json'));
    // The run says where the source models go, since they land outside its own folder.
    expect(events.filter((event) => event.type === 'source')).toEqual([
      { type: 'source', kind: 'precomputed', directory: precomputedDir, status: 'training' },
      { type: 'source', kind: 'transfer', directory: transferDir, status: 'training' },
    ]);
    expect(precomputed.config).toMatchObject({ model: 'lenet', scenario: 'clean', seed: 2 });
    expect(transfer.config).toMatchObject({ model: 'lenet', scenario: 'clean', seed: 1002 });
    expect(first.evaluation!.attacks.map((attack) => attack.attack)).toEqual(['transfer']);
    // Precomputed examples are looked up, not crafted: training passes are those of the batch alone.
    expect(first.cost.forwardPasses).toBe(2);

    const modified = (await stat(join(precomputedDir, 'run.json'))).mtimeMs;
    const before = tf.memory().numTensors;
    const second = await trainRun(config({ scenario: 'mixed', model: 'lenet-apb' }), { outDir: join(runs, 'b') });
    expect(tf.memory().numTensors).toBe(before);
    expect(second.status).toBe('complete');
    expect((await stat(join(precomputedDir, 'run.json'))).mtimeMs).toBe(modified);
    expect(await readdir(join(runs, 'sources'))).toHaveLength(2);
  });

  it('uses the source folders it is given, training a source there only when it is missing', async () => {
    const runs = join(root, 'given');
    const transferDir = join(root, 'elsewhere', 'transfer');
    const events: TrainProgress[] = [];
    const record = await trainRun(config({ scenario: 'clean', adversarialSource: 'online' }), {
      outDir: join(runs, 'a'),
      transferSource: transferDir,
      onProgress: (event) => events.push(event),
    });
    expect(record.status).toBe('complete');
    expect((await readRunRecord(join(transferDir, 'run.json'))).config).toMatchObject({ model: 'lenet', seed: 1002 });
    await expect(stat(join(runs, 'sources'))).rejects.toThrow();
    const again = await trainRun(config({ scenario: 'clean', adversarialSource: 'online', seed: 3, evaluation: { attacks: ['transfer'], eps: [0.2], pgdSteps: 2, pgdLimit: 20, diagnostics: false, transferSeed: 1002 } }), {
      outDir: join(runs, 'b'),
      transferSource: transferDir,
      onProgress: (event) => events.push(event),
    });
    expect(again.status).toBe('complete');
    expect(events.filter((event) => event.type === 'source').map((event) => event.type === 'source' && event.status)).toEqual(['training', 'found']);
  });
});
