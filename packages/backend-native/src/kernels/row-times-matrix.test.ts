import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';

import { describeNative, parityError, seededValues, useNative } from '../testing-internal/parity.js';

/**
 * fma(a, b, c) on float32 values, rounded once as a hardware fused multiply-add rounds: a * b is
 * exact in double; the sum's rounding error (TwoSum) settles the one case where rounding the double
 * sum to float32 would round twice, a double that lands exactly halfway between two floats.
 */
function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bp = s - c;
  const error = (p - bp) + (c - (s - bp));
  const r = Math.fround(s);
  if (error === 0 || r === s) return r;
  const other = Math.fround(s + (s - r)); // the float on the far side of s from r
  if (Math.abs(s - r) !== Math.abs(other - s)) return r; // s is no tie: one rounding
  const up = error > 0 === other > r;
  return up ? other : r;
}

/** One row times a matrix as the native kernel defines it: per column, an fma chain from +0 over the rows in order. */
function fmaChainProduct(a: Float32Array, w: Float32Array, h: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let i = 0; i < h; i++) acc = fmaf(a[i]!, w[i * n + j]!, acc);
    out[j] = acc;
  }
  return out;
}

const bits = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describeNative('one row times a matrix on the native backend', () => {
  afterAll(async () => {
    await useNative(2);
  });

  // Widths around the 16-column vectors and the 128-column sweeps, with 1 to 3 rows where the
  // widened tail vector would read past the matrix if it were used.
  const sizes: [number, number][] = [[1, 1], [2, 3], [3, 10], [2, 15], [3, 16], [2, 17], [5, 120], [7, 129], [40, 300], [1000, 84], [10_000, 10]];

  for (const [h, n] of sizes) {
    it(`is bitwise an fma chain per column for [1, ${h}] x [${h}, ${n}]`, async () => {
      await useNative(2);
      const a = seededValues(h, 300 + h);
      const w = seededValues(h * n, 400 + n);
      const out = tf.tidy(() => tf.matMul(tf.tensor2d(a, [1, h]), tf.tensor2d(w, [h, n])).dataSync() as Float32Array);
      expect(bits(out)).toEqual(bits(fmaChainProduct(a, w, h, n)));
    });
  }

  it('keeps the sign of zero and lets NaN and infinity through as the fma chain does', async () => {
    await useNative(2);
    const h = 6;
    const n = 20;
    const a = new Float32Array([0, -0, 1, -2, Infinity, 0.5]);
    const w = seededValues(h * n, 9);
    w[3] = -0;
    w[n + 4] = Number.NaN;
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(a.slice(0, 2), [1, 2]), tf.tensor2d(w.slice(0, 2 * n), [2, n])).dataSync() as Float32Array);
    expect(bits(out)).toEqual(bits(fmaChainProduct(a.slice(0, 2), w.slice(0, 2 * n), 2, n)));
    const all = tf.tidy(() => tf.matMul(tf.tensor2d(a, [1, h]), tf.tensor2d(w, [h, n])).dataSync() as Float32Array);
    expect(bits(all)).toEqual(bits(fmaChainProduct(a, w, h, n)));
    expect(Number.isNaN(all[4])).toBe(true);
  });

  for (const transposeB of [false, true]) {
    it(`gives a fused bias and relu the unfused product's numbers (transposeB ${transposeB})`, async () => {
      await useNative(2);
      const [h, n] = [500, 84];
      const a = tf.tensor2d(seededValues(transposeB ? n : h, 71), [1, transposeB ? n : h]);
      const w = tf.tensor2d(seededValues(h * n, 72), [h, n]);
      const bias = tf.tensor1d(seededValues(transposeB ? h : n, 73));
      const fused = tf.tidy(() => tf.fused.matMul({ a, b: w, transposeB, bias, activation: 'relu' }).dataSync() as Float32Array);
      const unfused = tf.tidy(() => tf.relu(tf.add(tf.matMul(a, w, false, transposeB), bias)).dataSync() as Float32Array);
      expect(bits(fused)).toEqual(bits(unfused));
      tf.dispose([a, w, bias]);
    });

    it(`gives bitwise the same numbers on 1 and 2 threads (transposeB ${transposeB})`, async () => {
      // The products of one row are split over the threads: each output entry must not depend on the split.
      const [h, n] = [10_000, 120];
      const a = seededValues(transposeB ? n : h, 51);
      const w = seededValues(h * n, 52);
      const product = () => tf.tidy(() => (transposeB
        ? tf.matMul(tf.tensor2d(a, [1, n]), tf.tensor2d(w, [h, n]), false, true)
        : tf.matMul(tf.tensor2d(a, [1, h]), tf.tensor2d(w, [h, n]))).dataSync() as Float32Array);
      await useNative(1);
      const one = bits(product());
      await useNative(2);
      expect(bits(product())).toEqual(one);
    });

    it(`matches the cpu backend (transposeB ${transposeB})`, async () => {
      const [h, n] = [3000, 84];
      const a = seededValues(transposeB ? n : h, 61);
      const w = seededValues(h * n, 62);
      const error = await parityError(() => (transposeB
        ? tf.matMul(tf.tensor2d(a, [1, n]), tf.tensor2d(w, [h, n]), false, true)
        : tf.matMul(tf.tensor2d(a, [1, h]), tf.tensor2d(w, [h, n]))));
      expect(error).toBeLessThanOrEqual(1e-4);
    });
  }
});
