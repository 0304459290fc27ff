import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

describeNative('Relu on the native backend', () => {
  it('matches the cpu backend on a LeNet-sized activation', async () => {
    const x = seededValues(128 * 24 * 24 * 6, 41);
    expect(await parityError(() => tf.relu(tf.tensor4d(x, [128, 24, 24, 6])))).toBe(0);
  });

  it('computes hand-checked values and keeps NaN', async () => {
    const [values] = await runOn('native', () => tf.relu(tf.tensor1d([-2, -0, 0, 3, Number.NaN])));
    expect(Array.from(values!)).toEqual([0, 0, 0, 3, Number.NaN]);
  });

  it('gives the same gradient as the cpu backend', async () => {
    const x = seededValues(1000, 42);
    expect(await parityError(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), v)))(tf.tensor1d(x)))).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.relu(tf.ones([3, 3]))))).toBe(0);
  });
});
