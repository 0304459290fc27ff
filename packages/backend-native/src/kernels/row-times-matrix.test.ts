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

/**
 * The dot product of x and w as the native kernel defines it for a row times a transposed matrix
 * (the order of oneDNN v2.6's sgemv on AVX2 machines): eight lanes of fma chains over the 16-entry
 * blocks (lane l takes entries 16 b + l, then 16 b + 8 + l), summed as
 * ((l0 + l1) + (l4 + l5)) + ((l2 + l3) + (l6 + l7)); then the 8, 4, 2 and 1 entries left, each
 * group's fma(x, w, +0) lanes summed the same way and added to the total.
 */
function laneDot(x: Float32Array, w: Float32Array): number {
  const f = Math.fround;
  const sumLanes = (v: number[]) => f(f(f(v[0]! + v[1]!) + f(v[4]! + v[5]!)) + f(f(v[2]! + v[3]!) + f(v[6]! + v[7]!)));
  const k = x.length;
  let p = 0;
  let total = 0;
  if (k >= 16) {
    const acc = new Array<number>(8).fill(0);
    for (; p + 16 <= k; p += 16) {
      for (let l = 0; l < 8; l++) acc[l] = fmaf(x[p + l]!, w[p + l]!, acc[l]!);
      for (let l = 0; l < 8; l++) acc[l] = fmaf(x[p + 8 + l]!, w[p + 8 + l]!, acc[l]!);
    }
    total = f(0 + sumLanes(acc));
  }
  for (const group of [8, 4, 2, 1]) {
    if (((k - p) & group) === 0) continue;
    const lanes = new Array<number>(8).fill(0);
    for (let l = 0; l < group; l++) lanes[l] = fmaf(x[p + l]!, w[p + l]!, 0);
    total = f(total + sumLanes(lanes));
    p += group;
  }
  return total;
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

  it('is bitwise the lane-wise dot product per output entry for a transposed matrix, for every remainder of 16', async () => {
    await useNative(2);
    const rows = 9; // two blocks of four rows and one row alone
    for (const k of [...Array.from({ length: 40 }, (_, i) => i + 1), 47, 84, 120, 260]) {
      const x = seededValues(k, 500 + k);
      const w = seededValues(rows * k, 600 + k, 4);
      if (k > 5) [x[1], w[2], w[k + 3]] = [-0, 0, -0];
      const out = tf.tidy(() => tf.matMul(tf.tensor2d(x, [1, k]), tf.tensor2d(w, [rows, k]), false, true).dataSync() as Float32Array);
      const expected = Float32Array.from({ length: rows }, (_, i) => laneDot(x, w.subarray(i * k, (i + 1) * k)));
      expect(bits(out), `k = ${k}`).toEqual(bits(expected));
    }
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
