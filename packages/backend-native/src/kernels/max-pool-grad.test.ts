import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';
import { poolCases } from '../testing-internal/pool-cases.js';

describeNative('MaxPoolGrad on the native backend', () => {
  for (const c of poolCases) {
    it(`gives the cpu backend's gradient for ${c.input.join('x')} window ${c.window.join('x')} strides ${c.strides.join(',')} pad ${c.pad}`, async () => {
      const x = seededValues(c.input.reduce((a, b) => a * b), 36);
      const error = await parityError(() => tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.maxPool(input as tf.Tensor4D, c.window, c.strides, c.pad))))(tf.tensor4d(x, c.input)));
      expect(error).toBeLessThanOrEqual(1e-6);
    });
  }

  it('sends the gradient of a tied window to its first maximum, as the cpu backend does', async () => {
    // After a ReLU whole windows are zero: the tie rule decides which input gets the gradient.
    const compute = () => tf.grad((input: tf.Tensor) => tf.sum(tf.maxPool(tf.relu(input) as tf.Tensor4D, 2, 2, 'valid')))(
      tf.tensor4d([-1, -2, 0.5, 0.5, -3, -4, 0.5, 0.5, 0, 0, 1, 2, 0, 0, 3, 2], [1, 4, 4, 1]));
    const [native] = await runOn('native', compute);
    expect(Array.from(native!)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(await parityError(compute)).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 4, 4, 2]))))).toBe(0);
  });
});
