import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';
import { poolCases } from '../testing-internal/pool-cases.js';


describeNative('MaxPool on the native backend', () => {
  for (const c of poolCases) {
    it(`matches the cpu backend for ${c.input.join('x')} window ${c.window.join('x')} strides ${c.strides.join(',')} pad ${c.pad}`, async () => {
      const x = seededValues(c.input.reduce((a, b) => a * b), 35);
      const error = await parityError(() => tf.maxPool(tf.tensor4d(x, c.input), c.window, c.strides, c.pad));
      expect(error).toBe(0);
    });
  }

  it('computes a hand-checked 2x2 pooling', async () => {
    const [values] = await runOn('native', () => tf.maxPool(tf.tensor4d([1, 5, 2, 0, 3, 4, -1, 8, 0, 0, 7, 6, 9, 1, 2, 3], [1, 4, 4, 1]), 2, 2, 'valid'));
    expect(Array.from(values!)).toEqual([5, 8, 9, 7]);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.maxPool(tf.ones<tf.Rank.R4>([1, 4, 4, 2]), 2, 2, 'valid')))).toBe(0);
  });
});
