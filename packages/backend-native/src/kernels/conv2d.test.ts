import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { caseName, convCases } from '../testing-internal/conv-cases.js';
import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

describeNative('Conv2D on the native backend', () => {
  for (const c of convCases({ dilations: true })) {
    it(`matches the cpu backend for ${caseName(c)}`, async () => {
      const x = seededValues(c.input.reduce((a, b) => a * b), 1);
      const f = seededValues(c.filter.reduce((a, b) => a * b), 2);
      const error = await parityError(() => tf.conv2d(tf.tensor4d(x, c.input), tf.tensor4d(f, c.filter), c.strides, c.pad, 'NHWC', c.dilations));
      expect(error).toBeLessThanOrEqual(1e-4);
    });
  }

  it('computes a hand-checked 2x2 convolution exactly', async () => {
    const error = await parityError(() => tf.conv2d(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), tf.tensor4d([1, 0, 0, -1], [2, 2, 1, 1]), 1, 'valid'));
    expect(error).toBe(0);
    const [values] = await runOn('native', () => tf.conv2d(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), tf.tensor4d([1, 0, 0, -1], [2, 2, 1, 1]), 1, 'valid'));
    // Each output is x[i][j] - x[i+1][j+1] = -4.
    expect(Array.from(values!)).toEqual([-4, -4, -4, -4]);
  });

  it('gives the same input and filter gradients as the cpu backend', async () => {
    const xs = seededValues(2 * 10 * 10 * 3, 3);
    const fs = seededValues(3 * 3 * 3 * 4, 4);
    const error = await parityError(() => {
      const grads = tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))));
      return grads([tf.tensor4d(xs, [2, 10, 10, 3]), tf.tensor4d(fs, [3, 3, 3, 4])]);
    });
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('leaves no tensor behind', async () => {
    const leaked = await leakedTensors(() => tf.tidy(() => tf.conv2d(tf.ones<tf.Rank.R4>([2, 6, 6, 2]), tf.ones<tf.Rank.R4>([3, 3, 2, 2]), 1, 'same')));
    expect(leaked).toBe(0);
  });

  it('hands NCHW inputs to the cpu kernel and still matches it', async () => {
    const error = await parityError(() => tf.conv2d(tf.tensor4d(seededValues(2 * 3 * 5 * 5, 5), [2, 3, 5, 5]), tf.tensor4d(seededValues(2 * 2 * 3 * 2, 6), [2, 2, 3, 2]), 1, 'valid', 'NCHW'));
    expect(error).toBeLessThanOrEqual(1e-6);
  });
});
