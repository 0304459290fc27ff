import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

describeNative('Step on the native backend', () => {
  it('matches the cpu backend on a LeNet-sized activation, for alpha 0 and 0.3', async () => {
    const x = seededValues(128 * 8 * 8 * 16, 43);
    expect(await parityError(() => [tf.step(tf.tensor1d(x)), tf.step(tf.tensor1d(x), 0.3)])).toBe(0);
  });

  it('computes hand-checked values and keeps NaN', async () => {
    const [values] = await runOn('native', () => tf.step(tf.tensor1d([-1, 0, 2, Number.NaN]), 0.5));
    expect(Array.from(values!)).toEqual([0.5, 0.5, 1, Number.NaN]);
  });

  it('has the same (zero) gradient as on the cpu backend', async () => {
    expect(await parityError(() => tf.grad((v: tf.Tensor) => tf.sum(tf.step(v)))(tf.tensor1d(seededValues(10, 44))))).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.step(tf.ones([3, 3]))))).toBe(0);
  });
});
