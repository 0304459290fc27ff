import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

const cases: Array<{ shapes: number[][]; axis: number }> = [
  { shapes: [[128, 28, 28, 1], [128, 28, 28, 1]], axis: 0 },
  { shapes: [[2, 3, 4], [2, 5, 4], [2, 1, 4]], axis: 1 },
  { shapes: [[3, 2], [3, 4]], axis: -1 },
  { shapes: [[4], [6]], axis: 0 },
];

describeNative('Concat on the native backend', () => {
  for (const { shapes, axis } of cases) {
    it(`matches the cpu backend for ${shapes.map((s) => `[${s.join(',')}]`).join(' + ')} on axis ${axis}`, async () => {
      const error = await parityError(() => tf.concat(shapes.map((shape, i) => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), 50 + i), shape)), axis));
      expect(error).toBe(0);
    });
  }

  it('concatenates hand-checked rows and columns', async () => {
    const [rows, columns] = await runOn('native', () => {
      const a = tf.tensor2d([[1, 2], [3, 4]]);
      const b = tf.tensor2d([[5, 6]]);
      return [tf.concat([a, b], 0), tf.concat([a, tf.tensor2d([[7], [8]])], 1)];
    });
    expect(Array.from(rows!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(columns!)).toEqual([1, 2, 7, 3, 4, 8]);
  });

  it('hands int32, empty and single inputs to the cpu kernel', async () => {
    const [ints, withEmpty, single] = await runOn('native', () => [
      tf.cast(tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3], 'int32')]), 'float32'),
      tf.concat([tf.tensor2d([[1, 2]]), tf.zeros([0, 2])], 0),
      tf.concat([tf.tensor1d([9])]),
    ]);
    expect(Array.from(ints!)).toEqual([1, 2, 3]);
    expect(Array.from(withEmpty!)).toEqual([1, 2]);
    expect(Array.from(single!)).toEqual([9]);
  });

  it('gives the same gradient as the cpu backend', async () => {
    const error = await parityError(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b], 1), tf.reshape(tf.range(0, 15), [3, 5]))))(
      [tf.tensor2d(seededValues(6, 60), [3, 2]), tf.tensor2d(seededValues(9, 61), [3, 3])]));
    expect(error).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.concat([tf.ones([2, 2]), tf.ones([2, 2])])))).toBe(0);
  });
});
