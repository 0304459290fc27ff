import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, runOn, seededValues, useNative } from '../testing-internal/parity.js';

/**
 * fma(a, b, +0) on float32 values: the product is exact in double, so one rounding to float32
 * gives the fused result, except for the zero sign: an exact zero product plus +0 is +0, while a
 * nonzero product too small for float32 keeps its sign (-0).
 */
function fmaPlusZero(a: number, b: number): number {
  const p = a * b;
  return p === 0 ? 0 : Math.fround(p);
}

function outerReference(column: Float32Array, row: Float32Array): Float32Array {
  const out = new Float32Array(column.length * row.length);
  for (let i = 0; i < column.length; i++) for (let j = 0; j < row.length; j++) out[i * row.length + j] = fmaPlusZero(column[i]!, row[j]!);
  return out;
}

/** Index of the first entry whose bits differ, or -1 (cheaper than comparing million-entry arrays with toEqual). */
function firstMismatch(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return 0;
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) return i;
  return -1;
}

/** Seeded values with zeros of both signs, infinities, NaN and values whose products underflow mixed in. */
function withSpecials(size: number, seed: number): Float32Array {
  const values = seededValues(size, seed);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3e38, 1e-30, -1e-30];
  for (let i = 0; i < size; i += 7) values[i] = specials[(i / 7) % specials.length]!;
  return values;
}

describeNative('outer products (k = 1) on the native backend', () => {
  // The shapes of multimodal APB's W_ap gradient in LeNet (h = 625 ... 10,000 memories times 120,
  // 84 and 10 units), small ones, and odd ones.
  const shapes: [number, number][] = [[3, 5], [7, 10], [625, 120], [625, 10], [2_500, 84], [5_625, 10], [10_000, 120], [10_000, 10], [1_093, 61]];

  for (const [h, n] of shapes) {
    it(`is bitwise fma(a_i, b_j, +0), as the cpu backend computes it, for [${h}, 1] x [1, ${n}] in every layout`, async () => {
      await useNative(2);
      const column = withSpecials(h, 11 + h);
      const row = withSpecials(n, 13 + n);
      const expected = outerReference(column, row);
      // The four layouts of the same two vectors: [h, 1] or [1, h] transposed; [1, n] or [n, 1] transposed.
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const out = tf.tidy(() => {
            const a = tf.tensor2d(column, transposeA ? [1, h] : [h, 1]);
            const b = tf.tensor2d(row, transposeB ? [n, 1] : [1, n]);
            return tf.matMul(a, b, transposeA, transposeB).dataSync() as Float32Array;
          });
          expect(firstMismatch(out, expected), `transposeA ${transposeA}, transposeB ${transposeB}`).toBe(-1);
        }
      }
    });
  }

  it('returns empty products of empty vectors', async () => {
    await useNative(2);
    const shapes = tf.tidy(() => [
      tf.matMul(tf.ones([5, 1]), tf.ones([1, 0])).shape,
      tf.matMul(tf.ones([0, 1]), tf.ones([1, 7])).shape,
      tf.matMul(tf.ones([1, 3]), tf.ones([0, 3]), false, true).shape,
    ]);
    expect(shapes).toEqual([[5, 0], [0, 7], [1, 0]]);
  });

  it('matches the cpu backend bitwise', async () => {
    const column = withSpecials(3_000, 5);
    const row = withSpecials(84, 6);
    const compute = () => tf.matMul(tf.tensor2d(column, [1, 3_000]), tf.tensor2d(row, [1, 84]), true, false);
    const [native] = await runOn('native', compute);
    const [cpu] = await runOn('cpu', compute);
    expect(firstMismatch(native!, cpu!)).toBe(-1);
  });
});
