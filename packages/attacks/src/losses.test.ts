import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputGradient } from './gradient.js';
import { crossEntropy, margin } from './losses.js';
import { useCpu } from './testing-internal/tiny-model.js';

beforeAll(useCpu);

describe('crossEntropy', () => {
  it('matches the hand-computed value -log softmax(z)_y', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const values = crossEntropy(logits, labels).dataSync();
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(values[0]).toBeCloseTo(lse - 1, 5);
    expect(values[1]).toBeCloseTo(Math.log(3), 5);
    tf.dispose([logits, labels]);
  });
});

describe('margin', () => {
  it('is the best other logit minus the true logit', () => {
    const logits = tf.tensor2d([[1, 5, 3], [4, -1, 2]]);
    const labels = tf.tensor1d([1, 0], 'int32');
    expect(Array.from(margin(logits, labels).dataSync())).toEqual([3 - 5, 2 - 4]);
    const wrong = tf.tensor1d([0, 1], 'int32');
    expect(Array.from(margin(logits, wrong).dataSync())).toEqual([5 - 1, 4 - -1]);
    tf.dispose([logits, labels, wrong]);
  });

  it('leaks no tensors', () => {
    const logits = tf.tensor2d([[1, 5, 3]]);
    const labels = tf.tensor1d([1], 'int32');
    const before = tf.memory().numTensors;
    margin(logits, labels).dispose();
    crossEntropy(logits, labels).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, labels]);
  });
});

describe('inputGradient', () => {
  // A fixed non-linear classifier on 2x2 images: logits = tanh(x W1) W2.
  const w1 = tf.tensor2d([0.5, -1, 0.3, 0.8, -0.2, 0.4, 1.1, -0.7], [4, 2]);
  const w2 = tf.tensor2d([1, -0.5, 0.2, 0.7, -1.2, 0.9], [2, 3]);
  const model = (x: tf.Tensor4D): tf.Tensor2D => tf.matMul(tf.tanh(tf.matMul(tf.reshape(x, [-1, 4]), w1)), w2);

  it.each(['ce', 'margin'] as const)('matches central finite differences for the %s loss', (loss) => {
    const x0 = [0.2, 0.7, 0.4, 0.9, 0.6, 0.1, 0.3, 0.5];
    const labels = tf.tensor1d([1, 2], 'int32');
    const x = tf.tensor4d(x0, [2, 2, 2, 1]);
    const gradient = inputGradient(model, x, labels, loss).dataSync();
    const h = 1e-2;
    const total = (values: number[]): number =>
      tf.tidy(() => {
        const input = tf.tensor4d(values, [2, 2, 2, 1]);
        const logits = model(input);
        return tf.sum(loss === 'ce' ? crossEntropy(logits, labels) : margin(logits, labels)).dataSync()[0] as number;
      });
    x0.forEach((_, i) => {
      const plus = [...x0];
      const minus = [...x0];
      plus[i] = (plus[i] as number) + h;
      minus[i] = (minus[i] as number) - h;
      expect(gradient[i]).toBeCloseTo((total(plus) - total(minus)) / (2 * h), 2);
    });
    tf.dispose([labels, x]);
  });

  it('gives exactly zero where the softmax saturates', () => {
    const saturating = (x: tf.Tensor4D): tf.Tensor2D => tf.mul<tf.Tensor2D>(model(x), 1000);
    const x = tf.tensor4d([0.2, 0.7, 0.4, 0.9], [1, 2, 2, 1]);
    const predicted = tf.tidy(() => tf.argMax(saturating(x), -1));
    const gradient = inputGradient(saturating, x, tf.cast(predicted, 'int32') as tf.Tensor1D, 'ce');
    expect(Array.from(gradient.dataSync())).toEqual([0, 0, 0, 0]);
    tf.dispose([x, predicted, gradient]);
  });
});
