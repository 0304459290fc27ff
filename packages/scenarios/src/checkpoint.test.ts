import { initBackend } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLastCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint.js';
import { buildModel } from './internal/model-factory.js';
import { resolveTrainConfig } from './train-config.js';

let root: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-checkpoint-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Multimodal APB, so that the non-trainable memories m are part of what must round-trip.
const config = resolveTrainConfig({ dataset: 'mnist', model: 'lenet-apb', apb: 'multimodal', memories: 4, epochs: 1, batchSize: 4, lr: 0.01, seed: 11 });
const BETA1 = 0.9;
const BETA2 = 0.999;

/** A fixed batch, so that two models given the same state take the same step. */
function batch(step: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.tidy(() => tf.randomUniform<tf.Rank.R4>([4, 28, 28, 1], 0, 1, 'float32', 100 + step));
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([step % 10, (step + 3) % 10, (step + 5) % 10, (step + 7) % 10], 'int32'), 10), 'float32') as tf.Tensor2D);
  return { x, y };
}

function step(model: tfl.LayersModel, optimizer: tf.Optimizer, index: number): void {
  const { x, y } = batch(index);
  tf.tidy(() => {
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor2D), false, variables);
  });
  tf.dispose([x, y]);
}

/** Adam's running products beta^(t+1), private fields in tfjs. */
const products = (optimizer: tf.Optimizer) => {
  const fields = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  return [fields.accBeta1.dataSync()[0]!, fields.accBeta2.dataSync()[0]!];
};

const weightValues = (model: tfl.LayersModel) => model.weights.map((weight) => Array.from(weight.read().dataSync()));

describe('checkpoint', () => {
  it("restores Adam's running products, moments and the APB state exactly, so the next step is the same", async () => {
    const steps = 30;
    const model = buildModel(config, config.seed);
    const optimizer = tf.train.adam(config.lr, BETA1, BETA2);
    for (let index = 0; index < steps; index += 1) step(model, optimizer, index);
    await writeCheckpoint(root, model, optimizer, { epoch: 1, config, history: [], createdAt: '2026-01-01T00:00:00.000Z', trainSeconds: 0, forwardPasses: 0, backwardPasses: 0 });

    const checkpoint = await readLastCheckpoint(root);
    expect(checkpoint?.state.epoch).toBe(1);
    const restored = buildModel(config, config.seed + 1);
    const before = tf.memory().numTensors;
    const fresh = tf.train.adam(config.lr, BETA1, BETA2);
    await restoreCheckpoint(restored, fresh, checkpoint!.directory);

    const running = products(optimizer);
    expect(products(fresh)).toEqual(running);
    // What tfjs' setWeights alone would have restored (pow) is not the running product after 30
    // float32 multiplications; without the saved products this test fails.
    const recomputed = tf.tidy(() => [tf.pow(BETA1, steps + 1).dataSync()[0]!, tf.pow(BETA2, steps + 1).dataSync()[0]!]);
    expect(recomputed).not.toEqual(running);
    expect(fresh.iterations).toBe(optimizer.iterations);
    const moments = async (o: tf.Optimizer) => {
      const weights = await o.getWeights();
      const values = weights.map((weight) => Array.from(weight.tensor.dataSync()));
      tf.dispose(weights.filter((weight) => weight.name === 'iter').map((weight) => weight.tensor));
      return values;
    };
    expect(await moments(fresh)).toEqual(await moments(optimizer));
    expect(weightValues(restored)).toEqual(weightValues(model));

    step(model, optimizer, steps);
    step(restored, fresh, steps);
    expect(products(fresh)).toEqual(products(optimizer));
    expect(weightValues(restored)).toEqual(weightValues(model));

    fresh.dispose();
    // Restoring and stepping leaves nothing behind but the optimizer's variables, now disposed.
    expect(tf.memory().numTensors).toBe(before);
    restored.dispose();
    optimizer.dispose();
    model.dispose();
  }, 60_000);
});
