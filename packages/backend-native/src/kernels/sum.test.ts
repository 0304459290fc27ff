import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues, useNative } from '../testing-internal/parity.js';

const cases: Array<{ shape: number[]; axis: number | number[] | undefined; keepDims: boolean }> = [
  { shape: [128, 24, 24, 6], axis: [0, 1, 2], keepDims: false },
  { shape: [128, 120], axis: 0, keepDims: false },
  { shape: [128, 8, 8, 16], axis: [0, 1, 2], keepDims: false },
  { shape: [64, 10], axis: 0, keepDims: true },
  { shape: [128, 120], axis: 0, keepDims: true },
  { shape: [4, 5, 6], axis: [1, 2], keepDims: false },
  { shape: [4, 5, 6], axis: -1, keepDims: true },
  { shape: [4, 5, 6], axis: undefined, keepDims: false },
  { shape: [4, 5, 6], axis: 1, keepDims: false },
  { shape: [4, 5, 6], axis: [2, 0], keepDims: false },
];

describeNative('Sum on the native backend', () => {
  for (const c of cases) {
    it(`matches the cpu backend for [${c.shape.join(',')}] over axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
      const x = seededValues(c.shape.reduce((p, q) => p * q, 1), 45);
      const error = await parityError(() => tf.sum(tf.tensor(x, c.shape), c.axis, c.keepDims));
      expect(error).toBeLessThanOrEqual(1e-5);
      await tf.setBackend('cpu');
      const cpuShape = tf.tidy(() => tf.sum(tf.tensor(x, c.shape), c.axis, c.keepDims).shape);
      await useNative();
      const nativeShape = tf.tidy(() => tf.sum(tf.tensor(x, c.shape), c.axis, c.keepDims).shape);
      expect(nativeShape).toEqual(cpuShape);
    });
  }

  it('computes a hand-checked bias gradient', async () => {
    const [values] = await runOn('native', () => tf.sum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), 0));
    expect(Array.from(values!)).toEqual([9, 12]);
  });

  it('gives the same gradient as the cpu backend', async () => {
    expect(await parityError(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.sum(v, [0, 1]))))(tf.tensor3d(seededValues(60, 46), [3, 4, 5])))).toBeLessThanOrEqual(1e-5);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.sum(tf.ones([3, 3]), 0)))).toBe(0);
  });
});
