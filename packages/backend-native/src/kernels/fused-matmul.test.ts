import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, seededValues } from '../testing-internal/parity.js';

describeNative('_FusedMatMul on the native backend', () => {
  for (const activation of ['relu', 'linear', 'elu'] as const) {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true]] as const) {
      it(`matches the cpu backend with bias and ${activation} (transposeA ${transposeA}, transposeB ${transposeB})`, async () => {
        const a = seededValues(32 * 40, 27);
        const b = seededValues(40 * 24, 28);
        const bias = seededValues(24, 29);
        const error = await parityError(() => tf.fused.matMul({
          a: tf.tensor2d(a, transposeA ? [40, 32] : [32, 40]), b: tf.tensor2d(b, transposeB ? [24, 40] : [40, 24]),
          transposeA, transposeB, bias: tf.tensor1d(bias), activation,
        }));
        expect(error).toBeLessThanOrEqual(1e-4);
      });
    }
  }

  it('matches the cpu backend without bias and with a scalar bias', async () => {
    const a = tf.tensor2d(seededValues(8 * 5, 30), [8, 5]);
    const b = tf.tensor2d(seededValues(5 * 3, 31), [5, 3]);
    const error = await parityError(() => [
      tf.fused.matMul({ a, b, activation: 'relu' }),
      tf.fused.matMul({ a, b, bias: tf.scalar(-0.1), activation: 'relu' }),
    ]);
    a.dispose();
    b.dispose();
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('gives the same gradients as the cpu backend', async () => {
    const error = await parityError(() => tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(
      tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }))))(
      [tf.tensor2d(seededValues(6 * 4, 32), [6, 4]), tf.tensor2d(seededValues(4 * 5, 33), [4, 5]), tf.tensor1d(seededValues(5, 34))]));
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.fused.matMul({ a: tf.ones([3, 4]), b: tf.ones([4, 2]), bias: tf.ones([2]), activation: 'relu' })))).toBe(0);
  });
});
