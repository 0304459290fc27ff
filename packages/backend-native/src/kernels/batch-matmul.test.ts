import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

const shapes: Array<{ a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
  { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
  { a: [128, 256], b: [256, 120], transposeA: false, transposeB: false },
  { a: [256, 128], b: [256, 120], transposeA: true, transposeB: false },
  { a: [128, 120], b: [256, 120], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [3, 4, 5], b: [3, 5, 6], transposeA: false, transposeB: false },
  { a: [1, 4, 5], b: [3, 5, 6], transposeA: false, transposeB: false },
  { a: [2, 3, 5, 4], b: [5, 6], transposeA: true, transposeB: false },
  { a: [600, 70], b: [70, 90], transposeA: false, transposeB: false },
];

describeNative('BatchMatMul on the native backend', () => {
  for (const s of shapes) {
    it(`matches the cpu backend for ${s.a.join('x')} by ${s.b.join('x')} (transposeA ${s.transposeA}, transposeB ${s.transposeB})`, async () => {
      const a = seededValues(s.a.reduce((p, q) => p * q), 23);
      const b = seededValues(s.b.reduce((p, q) => p * q), 24);
      const error = await parityError(() => tf.matMul(tf.tensor(a, s.a), tf.tensor(b, s.b), s.transposeA, s.transposeB));
      expect(error).toBeLessThanOrEqual(1e-4);
    });
  }

  it('computes a hand-checked product', async () => {
    const [values] = await runOn('native', () => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])));
    expect(Array.from(values!)).toEqual([19, 22, 43, 50]);
  });

  it('gives the same gradients as the cpu backend', async () => {
    const a = seededValues(6 * 4, 25);
    const b = seededValues(4 * 5, 26);
    const error = await parityError(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))(
      [tf.tensor2d(a, [6, 4]), tf.tensor2d(b, [4, 5])]));
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('hands int32 operands to the cpu kernel', async () => {
    const error = await parityError(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor2d([[1], [1]], [2, 1], 'int32')));
    expect(error).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.ones([4, 2]))))).toBe(0);
  });
});
