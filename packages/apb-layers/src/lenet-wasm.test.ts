import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@apb/backend';
import { describe, expect, it } from 'vitest';
import { foldApb } from './fold.js';
import { lenet } from './lenet.js';
import { trainStep } from './train-step.js';

/** Weights of an APB LeNet after `steps` seeded training steps on the active backend. */
function trainedWeights(steps: number): { weights: Float32Array[]; foldedGap: number } {
  const model = lenet({ apb: { kind: 'multimodal', memories: 16 }, eps: 0.01, seed: 5 });
  const images = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 6);
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const optimizer = tf.train.adam(1e-3);
  for (let step = 0; step < steps; step++) {
    trainStep(model, optimizer, images, labels);
  }
  const folded = foldApb(model);
  const foldedGap = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(images) as tf.Tensor, folded.predict(images) as tf.Tensor))).dataSync()[0] ?? Number.NaN);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([images, labels]);
  optimizer.dispose();
  model.dispose();
  folded.dispose();
  return { weights, foldedGap };
}

describe('LeNet-APB on the wasm backend', () => {
  it('trains to the same weights as on the cpu backend, and folds exactly', async () => {
    await tf.setBackend('cpu');
    const reference = trainedWeights(3);
    const info = await initBackend({ backend: 'wasm' });
    expect(info.name).toBe('wasm');
    const wasm = trainedWeights(3);
    expect(wasm.foldedGap).toBeLessThan(1e-5);
    expect(wasm.weights.length).toBe(reference.weights.length);
    wasm.weights.forEach((values, i) => {
      const expected = reference.weights[i] ?? new Float32Array();
      const gap = values.reduce((max, v, j) => Math.max(max, Math.abs(v - (expected[j] ?? Number.NaN))), 0);
      // Different kernels sum in different orders; after three Adam steps the weights agree to ~1e-4.
      expect(gap).toBeLessThan(1e-4);
    });
  });
});
