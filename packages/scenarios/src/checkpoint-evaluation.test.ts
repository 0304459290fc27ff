import { initBackend } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointEpochs, softmaxSaturation } from './checkpoint-evaluation.js';
import type { CheckpointEvaluation } from './run-record.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { evaluationPlanSchema, type TrainConfigInput } from './train-config.js';
import { trainRun } from './train-run.js';
import { attackEpsAt } from './training-loop.js';

let root: string;
let datasetDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-checkpoint-eval-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 200, test: 60 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (extra: TrainConfigInput = {}): TrainConfigInput => ({
  dataset: 'synthetic',
  datasetDir,
  backend: 'wasm',
  model: 'lenet-apb',
  epochs: 3,
  batchSize: 50,
  lr: 0.003,
  seed: 5,
  evaluation: { attacks: ['fgsm', 'fgsm-margin', 'transfer-fgsm'], eps: [0.3], diagnostics: false, limit: 40, checkpoints: [1, 2] },
  ...extra,
});

/** A history without its timings, which differ between two runs of the same training. */
const untimed = (history: CheckpointEvaluation[] | undefined) =>
  history?.map(({ seconds: _seconds, attacks, ...rest }) => ({ ...rest, attacks: attacks.map(({ seconds: _s, ...attack }) => attack) }));

describe('evaluations at checkpoints during training', () => {
  it('records every planned epoch and the last one in evaluation.history, the last equal to the final evaluation', async () => {
    const before = tf.memory().numTensors;
    const record = await trainRun(run(), { outDir: join(root, 'runs', 'history') });
    expect(tf.memory().numTensors).toBe(before);
    const history = record.evaluation!.history!;
    expect(history.map((entry) => entry.epoch)).toEqual([1, 2, 3]);
    for (const entry of history) {
      expect(entry.attacks.map((attack) => attack.attack)).toEqual(['fgsm', 'fgsm-margin', 'transfer-fgsm']);
      expect(entry.clean.n).toBe(40);
      expect(entry.softmaxSaturation.n).toBe(40);
      // LeNet's three FC layers carry an APB; each grows by at most eps 0.01 per batch (4 per epoch).
      expect(entry.apbDelta.map((layer) => layer.maxAbs).every((size) => size > 0 && size <= 0.04 * entry.epoch + 1e-6)).toBe(true);
      expect(entry.apbDelta).toHaveLength(3);
    }
    expect(history[2]!.clean).toEqual(record.evaluation!.clean);
    expect(history[2]!.attacks.map((attack) => attack.accuracy)).toEqual(record.evaluation!.attacks.map((attack) => attack.accuracy));
    // Training goes on after a checkpoint evaluation: the model after epoch 1 is not the last one.
    expect(history[0]!.apbDelta).not.toEqual(history[2]!.apbDelta);
  });

  it('gives the same history when the run is interrupted after a checkpoint evaluation and resumed', async () => {
    const straight = await trainRun(run(), { outDir: join(root, 'runs', 'straight') });
    const outDir = join(root, 'runs', 'resumed');
    const controller = new AbortController();
    const stopped = await trainRun(run(), {
      outDir,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'epoch' && event.entry.epoch === 2) controller.abort();
      },
    });
    expect(stopped.status).toBe('interrupted');
    const resumed = await trainRun(run(), { outDir, resume: true });
    expect(resumed.status).toBe('complete');
    expect(untimed(resumed.evaluation!.history)).toEqual(untimed(straight.evaluation!.history));
  });

  it('records no history without checkpoints, and plans only epochs before the last', async () => {
    const record = await trainRun(run({ epochs: 1, evaluation: { attacks: ['fgsm'], eps: [0.3], diagnostics: false, limit: 20 } }), { outDir: join(root, 'runs', 'none') });
    expect(record.evaluation!.history).toBeUndefined();
    expect(checkpointEpochs(evaluationPlanSchema.parse({ checkpoints: [50, 1, 100, 2, 2, 200] }), 100)).toEqual([1, 2, 50]);
  });
});

describe('softmaxSaturation', () => {
  it('counts the images whose float32 softmax maximum is exactly 1', () => {
    // Logit 0 of this model is 1000 x the sum of the pixels: saturated for a bright image, not for a black one.
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 10, kernelInitializer: 'zeros', useBias: false })] });
    const kernel = new Float32Array(40);
    for (let pixel = 0; pixel < 4; pixel += 1) kernel[pixel * 10] = 1000;
    model.layers[1]!.setWeights([tf.tensor2d(kernel, [4, 10])]);
    const images = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
    expect(softmaxSaturation(model, { count: 3, rows: 2, cols: 2, channels: 1, images, labels: new Uint8Array(3) } as never)).toEqual({ share: 2 / 3, n: 3 });
    model.dispose();
  });
});

describe('attackEpsAt', () => {
  it('rises linearly over the ramp, then stays at attackEps', () => {
    const config = { attackEps: 0.3, attackEpsRamp: 0.5 };
    expect(attackEpsAt(config, 0.25)).toBeCloseTo(0.15, 12);
    expect(attackEpsAt(config, 0.5)).toBe(0.3);
    expect(attackEpsAt(config, 0.9)).toBe(0.3);
    expect(attackEpsAt(config, 0)).toBeGreaterThan(0);
    expect(attackEpsAt({ attackEps: 0.3, attackEpsRamp: 0 }, 0.01)).toBe(0.3);
  });
});
