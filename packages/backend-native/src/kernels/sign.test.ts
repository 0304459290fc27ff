import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

describeNative('Sign and ClipByValue on the native backend', () => {
  it('match the cpu backend on an FGSM-sized batch', async () => {
    const x = seededValues(128 * 28 * 28, 45);
    expect(await parityError(() => [tf.sign(tf.tensor1d(x)), tf.clipByValue(tf.tensor1d(x), -0.3, 0.7), tf.clipByValue(tf.tensor1d(x), 0, 1)])).toBe(0);
  });

  it('compute hand-checked values: NaN and -0 have sign 0, NaN passes the clip, bounds not representable in float32 round as on cpu', async () => {
    const [signs, clipped, tenth] = await runOn('native', () => {
      const x = tf.tensor1d([-2, -0, 0, 3, Number.NaN, 0.5]);
      return [tf.sign(x), tf.clipByValue(x, -1, 1), tf.clipByValue(tf.tensor1d([0.1, 0.2, -0.5]), 0.1, 0.15)];
    });
    expect(Array.from(signs!)).toEqual([-1, 0, 0, 1, 0, 1]);
    expect(Array.from(clipped!)).toEqual([-1, -0, 0, 1, Number.NaN, 0.5]);
    expect(Array.from(tenth!)).toEqual([Math.fround(0.1), Math.fround(0.15), Math.fround(0.1)]);
  });

  it('keep the cpu backend\'s gradients', async () => {
    const x = tf.tensor1d(seededValues(20, 46));
    expect(await parityError(() => [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(v, -0.2, 0.2), tf.sign(v))))(x)])).toBe(0);
  });

  it('leave no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.clipByValue(tf.sign(tf.ones([3, 3])), 0, 1)))).toBe(0);
  });
});
