import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { caseName, convCases, sizeOf } from '../testing-internal/conv-cases.js';
import { describeNative, leakedTensors, parityError, seededValues } from '../testing-internal/parity.js';

describeNative('FusedConv2D on the native backend', () => {
  const cases = convCases({ dilations: true }).filter((_, i) => i % 3 === 0);
  for (const c of cases) {
    for (const activation of ['relu', 'linear'] as const) {
      it(`matches the cpu backend with bias and ${activation} for ${caseName(c)}`, async () => {
        const x = seededValues(sizeOf(c.input), 16);
        const f = seededValues(sizeOf(c.filter), 17);
        const b = seededValues(c.filter[3], 18);
        const error = await parityError(() => tf.fused.conv2d({
          x: tf.tensor4d(x, c.input), filter: tf.tensor4d(f, c.filter), strides: c.strides, pad: c.pad,
          dilations: c.dilations, bias: tf.tensor1d(b), activation,
        }));
        expect(error).toBeLessThanOrEqual(1e-4);
      });
    }
  }

  it('matches the cpu backend without bias, with a scalar bias, and with activations it hands to the cpu kernel', async () => {
    const x = tf.tensor4d(seededValues(2 * 8 * 8 * 3, 19), [2, 8, 8, 3]);
    const f = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 20), [3, 3, 3, 4]);
    const error = await parityError(() => [
      tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', activation: 'relu' }),
      tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', bias: tf.scalar(0.25), activation: 'relu' }),
      tf.fused.conv2d({ x, filter: f, strides: 2, pad: 'valid', bias: tf.tensor1d([0.1, -0.2, 0.3, 0]), activation: 'relu6' }),
      tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: tf.scalar(0.2) }),
    ]);
    x.dispose();
    f.dispose();
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('gives the same gradients as the cpu backend', async () => {
    const xs = seededValues(2 * 9 * 9 * 2, 21);
    const fs = seededValues(3 * 3 * 2 * 3, 22);
    const error = await parityError(() => tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }))))(
      [tf.tensor4d(xs, [2, 9, 9, 2]), tf.tensor4d(fs, [3, 3, 2, 3]), tf.tensor1d([0.1, -0.1, 0.2])]));
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('leaves no tensor behind', async () => {
    const leaked = await leakedTensors(() => tf.tidy(() => tf.fused.conv2d({
      x: tf.ones<tf.Rank.R4>([1, 5, 5, 2]), filter: tf.ones<tf.Rank.R4>([3, 3, 2, 2]), strides: 1, pad: 'same', bias: tf.ones([2]), activation: 'relu' })));
    expect(leaked).toBe(0);
  });
});
