import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeNative, leakedTensors, parityError, runOn, seededValues, useNative } from '../testing-internal/parity.js';

/** Shape and dtype of the result of `compute` on `backend`. */
async function signature(backend: 'cpu' | 'native', compute: () => tf.Tensor): Promise<{ shape: number[]; dtype: string }> {
  if (backend === 'native') await useNative();
  else await tf.setBackend('cpu');
  const result = tf.tidy(compute);
  const out = { shape: result.shape, dtype: result.dtype };
  result.dispose();
  return out;
}

/** The message `compute` throws on `backend`, or undefined if it does not throw. */
async function errorOn(backend: 'cpu' | 'native', compute: () => tf.Tensor): Promise<string | undefined> {
  if (backend === 'native') await useNative();
  else await tf.setBackend('cpu');
  try {
    tf.tidy(compute).dispose();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const shuffled = [5, 0, 7, 7, 2, 9, 1, 0, 3];

const cases: { title: string; shape: number[]; axis: number; indices: number | number[] | number[][] }[] = [
  { title: 'rows of an MNIST-shaped batch (axis 0, as model.fit gathers)', shape: [10, 28, 28, 1], axis: 0, indices: shuffled },
  { title: 'rows of a matrix of one-hot labels (short rows)', shape: [10, 10], axis: 0, indices: shuffled },
  { title: 'a vector', shape: [10], axis: 0, indices: shuffled },
  { title: 'columns (axis 1)', shape: [3, 10, 20], axis: 1, indices: shuffled },
  { title: 'the last axis (axis -1, slices of one element)', shape: [4, 3, 10], axis: -1, indices: shuffled },
  { title: 'a 2-D index tensor', shape: [10, 6, 5], axis: 0, indices: [[1, 2, 3], [9, 9, 0]] },
  { title: 'an empty index list', shape: [10, 4], axis: 0, indices: [] },
  { title: 'a scalar index (the axis disappears)', shape: [10, 4, 3], axis: 1, indices: 3 },
];

describeNative('GatherV2 on the native backend', () => {
  it('is its own kernel, not the cpu backend one', async () => {
    await useNative();
    expect(tf.getKernel('GatherV2', 'native')?.kernelFunc).not.toBe(tf.getKernel('GatherV2', 'cpu')?.kernelFunc);
  });

  for (const { title, shape, axis, indices } of cases) {
    it(`matches the cpu backend exactly on ${title}, float32 and int32`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = seededValues(size, 61);
      const ints = Int32Array.from(values, (v) => Math.round(v * 1000));
      const float = () => tf.gather(tf.tensor(values, shape), tf.tensor(indices, undefined, 'int32'), axis);
      const int = () => tf.gather(tf.tensor(ints, shape, 'int32'), tf.tensor(indices, undefined, 'int32'), axis);
      for (const compute of [float, int]) {
        expect(await parityError(compute)).toBe(0);
        expect(await signature('native', compute)).toEqual(await signature('cpu', compute));
      }
    });
  }

  it('gathers hand-checked rows, repeated and out of order', async () => {
    const [values] = await runOn('native', () => tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, 0, 2], 'int32')));
    expect(Array.from(values!)).toEqual([5, 6, 1, 2, 5, 6]);
  });

  it('hands batch dimensions and other dtypes to the cpu kernel, with the same results', async () => {
    const x = seededValues(2 * 5 * 3, 62);
    expect(await parityError(() => tf.gather(tf.tensor3d(x, [2, 5, 3]), tf.tensor2d([[4, 0], [1, 1]], [2, 2], 'int32'), 1, 1))).toBe(0);
    const mask = () => tf.gather(tf.tensor1d([true, false, true], 'bool'), tf.tensor1d([2, 1], 'int32'));
    expect(await parityError(mask)).toBe(0);
    expect(await signature('native', mask)).toEqual(await signature('cpu', mask));
  });

  it('rejects an out-of-range index with the cpu backend message', async () => {
    for (const bad of [10, -1]) {
      const compute = () => tf.gather(tf.ones([10, 3]), tf.tensor1d([0, bad, 2], 'int32'));
      const expected = await errorOn('cpu', compute);
      expect(expected).toContain('GatherV2');
      expect(await errorOn('native', compute)).toBe(expected);
    }
  });

  it('returns a copy that outlives its input', async () => {
    await useNative();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.gather(x, tf.tensor1d([1], 'int32'));
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([3, 4]);
    y.dispose();
  });

  it('gives the same gradient as the cpu backend', async () => {
    const x = seededValues(10 * 6, 63);
    const indices = [3, 3, 0, 9];
    expect(await parityError(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(v, tf.tensor1d(indices, 'int32')))))(tf.tensor2d(x, [10, 6])))).toBe(0);
  });

  it('leaves no tensor behind', async () => {
    expect(await leakedTensors(() => tf.tidy(() => tf.gather(tf.ones([8, 4]), tf.tensor1d([7, 1], 'int32'))))).toBe(0);
  });
});
