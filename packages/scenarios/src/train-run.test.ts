import { initBackend } from '@apb/backend';
import { isApbError } from '@apb/core';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@apb/layers';
import { readRunRecord } from './run-record-io.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { trainRun } from './train-run.js';
import type { TrainConfigInput } from './train-config.js';

let root: string;
let datasetDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-train-run-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 200, test: 60 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const tiny = (extra: TrainConfigInput = {}): TrainConfigInput => ({
  dataset: 'synthetic',
  datasetDir,
  backend: 'wasm',
  epochs: 1,
  batchSize: 50,
  lr: 0.003,
  seed: 3,
  evaluation: { attacks: ['fgsm'], eps: [0.3], diagnostics: false, limit: 40 },
  ...extra,
});

describe('trainRun', () => {
  it('trains a clean classical LeNet, evaluates it and writes a complete run.json and model folder', async () => {
    const outDir = join(root, 'clean');
    const before = tf.memory().numTensors;
    const record = await trainRun(tiny({ epochs: 2 }), { outDir });
    expect(tf.memory().numTensors).toBe(before);
    expect(record.status).toBe('complete');
    expect(record.id).toBe('synthetic-clean-classical-s3');
    expect(record.history.map((entry) => entry.epoch)).toEqual([1, 2]);
    expect(record.history[1]!.loss).toBeLessThan(record.history[0]!.loss);
    expect(record.evaluation?.clean.n).toBe(40);
    expect(record.evaluation?.attacks.map((attack) => attack.attack)).toEqual(['fgsm']);
    expect(record.cost.forwardPasses).toBe(4);
    expect(record.cost.backwardPasses).toBe(4);
    expect(await readRunRecord(join(outDir, 'run.json'))).toEqual(record);
    expect((await readdir(join(outDir, 'model'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readdir(join(outDir, 'model-folded'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect(await readdir(join(outDir, 'checkpoints'))).toEqual(['epoch-0002']);
  });

  it('writes a folded copy of an APB model that predicts exactly what the APB model predicts', async () => {
    const outDir = join(root, 'apb');
    await trainRun(tiny({ model: 'lenet-apb' }), { outDir });
    const apb = await loadModel(join(outDir, 'model'));
    const folded = await loadModel(join(outDir, 'model-folded'));
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1);
    const [a, b] = [apb.predict(x) as tf.Tensor, folded.predict(x) as tf.Tensor];
    expect(folded.layers.map((layer) => layer.getClassName())).not.toContain('DenseApb');
    const difference = tf.max(tf.abs(tf.sub(a, b)));
    expect((await difference.data())[0]).toBeLessThan(1e-4);
    difference.dispose();
    tf.dispose([x, a, b]);
    apb.dispose();
    folded.dispose();
  });

  it('refuses to overwrite a folder that holds a run unless asked to resume', async () => {
    const outDir = join(root, 'clean');
    await expect(trainRun(tiny({ epochs: 2 }), { outDir })).rejects.toMatchObject({ code: 'RUN_EXISTS' });
    await expect(trainRun(tiny({ epochs: 3 }), { outDir, resume: true })).rejects.toMatchObject({ code: 'CONFIG_MISMATCH' });
  });

  it('counts twice the passes for online FGSM adversarial training and three times for mixed', async () => {
    const adversarial = await trainRun(tiny({ scenario: 'adversarial', evaluation: { attacks: [], diagnostics: false } }), { outDir: join(root, 'adv') });
    const mixed = await trainRun(tiny({ scenario: 'mixed', evaluation: { attacks: [], diagnostics: false } }), { outDir: join(root, 'mixed') });
    expect(adversarial.cost.forwardPasses).toBe(8);
    expect(mixed.cost.forwardPasses).toBe(12);
    expect(mixed.cost.passesPerEpoch).toBe(24);
  });

  it('stops on a non-finite loss, writes status failed and throws NAN_LOSS', async () => {
    const outDir = join(root, 'nan');
    const error: unknown = await trainRun(tiny({ lr: 1e30, epochs: 3 }), { outDir }).catch((caught: unknown) => caught);
    expect(isApbError(error) && error.code).toBe('NAN_LOSS');
    expect((error as Error).message).not.toContain('\n');
    const record = JSON.parse(await readFile(join(outDir, 'run.json'), 'utf8'));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/loss became/);
  });
});
