import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { pooledBufferBytes } from './buffer-pool.js';
import { DEFERRED_OUTER_MIN, pendingOuter } from './deferred-outer.js';
import { fusedAdam } from './fused-adam.js';
import { describeNative, seededValues, useNative } from './testing-internal/parity.js';

const H = 2_000;
const N = 84;

/** Seeded values with zeros of both signs and tiny values whose products underflow to a signed zero. */
function vector(size: number, seed: number): Float32Array {
  const values = seededValues(size, seed);
  const specials = [0, -0, 1e-30, -1e-30];
  for (let i = 0; i < size; i += 5) values[i] = specials[(i / 5) % specials.length]!;
  return values;
}

/** Entry (i, j) is fma(column[i], row[j], +0): the product is exact in double, rounded once; an exact zero is +0. */
function outerReference(column: Float32Array, row: Float32Array): Float32Array {
  const out = new Float32Array(column.length * row.length);
  for (let i = 0; i < column.length; i++) {
    for (let j = 0; j < row.length; j++) {
      const p = column[i]! * row[j]!;
      out[i * row.length + j] = p === 0 ? 0 : Math.fround(p);
    }
  }
  return out;
}

const bits = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

/** The outer product as multimodal APB's W_ap gradient is made: [1, h] transposed times [1, n]. */
function outer(column: Float32Array, row: Float32Array): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.tensor2d(column, [1, column.length]), tf.tensor2d(row, [1, row.length]), true, false));
}

describeNative('deferred outer products on the native backend', () => {
  it('computes a large outer product only when it is read, with the bits of fma(a_i, b_j, +0)', async () => {
    await useNative();
    expect(H * N).toBeGreaterThanOrEqual(DEFERRED_OUTER_MIN);
    const column = vector(H, 1);
    const row = vector(N, 2);
    const product = outer(column, row);
    expect(pendingOuter(product.dataId)).toBeDefined();
    expect(bits(product.dataSync() as Float32Array)).toEqual(bits(outerReference(column, row)));
    expect(pendingOuter(product.dataId)).toBeUndefined();
    product.dispose();
  });

  it('keeps its vectors: reusing or changing the operands afterwards does not change it', async () => {
    await useNative();
    const column = vector(H, 3);
    const row = vector(N, 4);
    const a = tf.tensor2d(column, [1, H]);
    const b = tf.variable(tf.tensor2d(row, [1, N]));
    const product = tf.matMul(a, b, true, false);
    a.dispose();
    b.assign(tf.zeros([1, N]));
    // A new output of the operand's length may take its pooled array.
    const reuse = tf.relu(tf.fill([1, H], 7));
    expect(bits(product.dataSync() as Float32Array)).toEqual(bits(outerReference(column, row)));
    tf.dispose([b, product, reuse]);
  });

  it('gives its values to clones, reshapes and cpu kernels that read it', async () => {
    await useNative();
    const column = vector(H, 5);
    const row = vector(N, 6);
    const expected = outerReference(column, row);
    const product = outer(column, row);
    const clone = tf.clone(product);
    const flat = tf.reshape(product, [H * N]);
    expect(pendingOuter(product.dataId)).toBeDefined(); // sharing the data does not compute it
    const slice = tf.slice(product, [H - 2, 0], [2, N]); // the cpu backend's Slice
    expect(bits(slice.dataSync() as Float32Array)).toEqual(bits(expected.slice((H - 2) * N)));
    expect(bits(clone.dataSync() as Float32Array)).toEqual(bits(expected));
    expect(bits(flat.dataSync() as Float32Array)).toEqual(bits(expected));
    tf.dispose([product, clone, flat, slice]);
  });

  it('is dropped unread without being computed, pooled or leaked', async () => {
    await useNative();
    const before = tf.memory().numTensors;
    const pooled = pooledBufferBytes();
    const product = outer(vector(H, 7), vector(N, 8));
    const { dataId } = product;
    product.dispose();
    expect(pendingOuter(dataId)).toBeUndefined();
    expect(pooledBufferBytes()).toBe(pooled);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('feeds the fused Adam step unread, with the numbers of the computed gradient', async () => {
    await useNative();
    // Zeros in the value and in the gradient: a zero gradient's sign can reach a zero weight.
    const start = vector(H * N, 9);
    const train = (deferred: boolean) => {
      const w = tf.variable(tf.tensor2d(start, [H, N]));
      const optimizer = fusedAdam(0.01);
      for (let step = 0; step < 3; step++) {
        const gradient = outer(vector(H, 10 + step), vector(N, 20 + step));
        if (deferred) expect(pendingOuter(gradient.dataId)).toBeDefined();
        else gradient.dataSync();
        optimizer.applyGradients({ [w.name]: gradient });
        // The step formed the entries itself: the product was never computed.
        if (deferred) expect(pendingOuter(gradient.dataId)).toBeDefined();
        gradient.dispose();
      }
      const state = optimizer.getWeights();
      return state.then((slots) => {
        const result = [w, ...slots.map((s) => s.tensor)].map((t) => bits(t.dataSync() as Float32Array));
        tf.dispose([w, ...slots.map((s) => s.tensor)]);
        optimizer.dispose();
        return result;
      });
    };
    const deferred = await train(true);
    const computed = await train(false);
    expect(deferred).toEqual(computed);
    expect(deferred[0]).not.toEqual(bits(start));
  });

  it('is what the gradient of m W with respect to W is (multimodal APB\'s bias)', async () => {
    await useNative();
    const m = tf.tensor2d(vector(H, 30), [1, H]);
    const w = tf.variable(tf.tensor2d(seededValues(H * N, 31), [H, N]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(m, w))), [w]);
    const gradient = grads[w.name]!;
    expect(pendingOuter(gradient.dataId)).toBeDefined();
    const expected = tf.tidy(() => tf.matMul(m, tf.mul(2, tf.matMul(m, w)), true, false).dataSync() as Float32Array);
    expect(bits(gradient.dataSync() as Float32Array)).toEqual(bits(expected));
    tf.dispose([m, w, gradient]);
  });
});
