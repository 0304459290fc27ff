import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';
import { repeatsAlongLeadingDims, trailingRepeat } from './binary-kernel.js';

const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, minimum: tf.minimum, maximum: tf.maximum } as const;
const shapePairs: Array<[number[], number[]]> = [
  [[128, 24, 24, 6], [128, 24, 24, 6]],
  [[128, 24, 24, 6], [6]],
  [[6], [4, 5, 6]],
  [[4, 5, 6], [1, 1, 6]],
  [[3, 4], []],
  [[], [3, 4]],
  [[128, 28, 28, 1], []],
  [[], [128, 28, 28, 1]],
  [[4, 1], [4, 3]],
  [[2, 1, 3], [1, 4, 3]],
  // Row-wise broadcasts (softmax cross-entropy's), either operand first.
  [[128, 10], [128, 1]],
  [[128, 1], [128, 10]],
  [[2, 3, 4], [2, 1, 1]],
  [[2, 1], [1, 2, 5]],
];

describeNative('Add, Sub, Multiply and RealDiv on the native backend', () => {
  for (const [name, op] of Object.entries(ops)) {
    for (const [aShape, bShape] of shapePairs) {
      it(`${name} matches the cpu backend for [${aShape.join(',')}] and [${bShape.join(',')}]`, async () => {
        const a = seededValues(aShape.reduce((p, q) => p * q, 1), 37);
        // Keep divisors away from zero so the relative error means something.
        const b = seededValues(bShape.reduce((p, q) => p * q, 1), 38).map((v) => (name === 'div' ? v + Math.sign(v || 1) : v));
        const error = await parityError(() => op(tf.tensor(a, aShape), tf.tensor(b, bShape)));
        expect(error).toBe(0);
      });
    }
  }

  it('computes hand-checked values with a bias broadcast', async () => {
    const [values] = await runOn('native', () => tf.add(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([10, 20])));
    expect(Array.from(values!)).toEqual([11, 22, 13, 24]);
  });

  it('gives the same gradients as the cpu backend for a broadcast product', async () => {
    const error = await parityError(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.div(tf.mul(a, b), tf.add(b, 3))))(
      [tf.tensor(seededValues(24, 39), [2, 3, 4]), tf.tensor(seededValues(4, 40), [4])]));
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('hands int32 operands to the cpu kernel', async () => {
    const error = await parityError(() => tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')));
    expect(error).toBe(0);
  });

  it('computes hand-checked values with a row-wise broadcast, NaN and -0 kept', async () => {
    const [difference] = await runOn('native', () => tf.sub(tf.tensor2d([[1, 2, 3], [4, 5, Number.NaN]]), tf.tensor2d([[1], [10]])));
    expect(Array.from(difference!)).toEqual([0, 1, 2, -6, -5, Number.NaN]);
    const [quotient] = await runOn('native', () => tf.div(tf.tensor2d([[2], [-0]]), tf.tensor2d([[1, 4], [2, 8]])));
    expect(Array.from(quotient!)).toEqual([2, 0.5, -0, -0]);
  });

  it('takes minimum and maximum as Math.min and Math.max do: NaN wins, -0 is below 0', async () => {
    const a = tf.tensor1d([1, Number.NaN, 0, -0, 3, -0]);
    const b = tf.tensor1d([2, 1, -0, 0, Number.NaN, -0]);
    const [low, high] = await runOn('native', () => [tf.minimum(a, b), tf.maximum(a, b)]);
    expect(Array.from(low!)).toEqual([1, Number.NaN, -0, -0, Number.NaN, -0]);
    expect(Array.from(high!)).toEqual([2, Number.NaN, 0, 0, Number.NaN, -0]);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.mul(tf.ones([4, 3]), tf.ones([3]))))).toBe(0);
  });
});

it('recognises broadcasts that only repeat along leading dimensions', () => {
  expect(repeatsAlongLeadingDims([6], [128, 24, 24, 6])).toBe(true);
  expect(repeatsAlongLeadingDims([1, 1, 6], [4, 5, 6])).toBe(true);
  expect(repeatsAlongLeadingDims([], [4, 5])).toBe(true);
  expect(repeatsAlongLeadingDims([4, 1], [4, 3])).toBe(false);
  expect(repeatsAlongLeadingDims([2, 1, 3], [2, 4, 3])).toBe(false);
});

it('counts the repeats of a broadcast along trailing dimensions', () => {
  expect(trailingRepeat([128, 1], [128, 10])).toBe(10);
  expect(trailingRepeat([2, 1, 1], [2, 3, 4])).toBe(12);
  expect(trailingRepeat([3, 1], [2, 3, 4])).toBe(0);
  expect(trailingRepeat([3, 1], [1, 3, 4])).toBe(4);
  expect(trailingRepeat([1, 3, 1], [2, 3, 4])).toBe(0);
  expect(trailingRepeat([4], [3, 4])).toBe(0);
  expect(trailingRepeat([3, 4], [3, 4])).toBe(1);
});
