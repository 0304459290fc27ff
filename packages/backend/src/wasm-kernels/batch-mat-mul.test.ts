import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runOn, seededValues } from '../testing-internal/parity.js';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [];
for (const transposeA of [false, true]) {
  for (const transposeB of [false, true]) {
    const [m, k, n] = [7, 5, 3];
    cases.push({ a: transposeA ? [1, k, m] : [1, m, k], b: transposeB ? [1, n, k] : [1, k, n], transposeA, transposeB });
    cases.push({ a: transposeA ? [3, k, m] : [3, m, k], b: transposeB ? [3, n, k] : [3, k, n], transposeA, transposeB });
    // Broadcast batch of b.
    cases.push({ a: transposeA ? [4, k, m] : [4, m, k], b: transposeB ? [1, n, k] : [1, k, n], transposeA, transposeB });
  }
}

describe('BatchMatMul on wasm (explicit transposes, then XNNPACK)', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((c) => [`a ${c.a.join('x')}, b ${c.b.join('x')}, transposeA ${c.transposeA}, transposeB ${c.transposeB}`, c] as const))(
    'matches the cpu backend for %s',
    async (_name, c) => {
      const inputs = { a: { shape: c.a, values: seededValues(size(c.a), 41) }, b: { shape: c.b, values: seededValues(size(c.b), 42) } };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const actual = await runOn('wasm', 'BatchMatMul', inputs, attrs);
      const expected = await runOn('cpu', 'BatchMatMul', inputs, attrs);
      expect(actual.shape).toEqual(expected.shape);
      expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
    },
  );

  it('gives the same dense-layer gradients through tf.grads as the cpu backend', async () => {
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const x = tf.tensor2d(seededValues(16 * 12, 43), [16, 12]);
      const w = tf.tensor2d(seededValues(12 * 5, 44), [12, 5]);
      const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))))([x, w]);
      const values = [await dx!.data(), await dw!.data()] as Float32Array[];
      tf.dispose([x, w, dx!, dw!]);
      return values;
    };
    const wasm = await gradients('wasm');
    const cpu = await gradients('cpu');
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]!)).toBeLessThanOrEqual(1e-4));
  });

  it('leaks no tensors and frees the transposed copies on the wasm heap', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor3d(seededValues(2 * 4 * 3, 45), [2, 4, 3]);
    const b = tf.tensor3d(seededValues(2 * 5 * 4, 46), [2, 5, 4]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    tf.engine().runKernel<tf.Tensor>('BatchMatMul', { a, b }, { transposeA: true, transposeB: true }).dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    tf.dispose([a, b]);
  });

  it('is replaced once: registering again changes nothing', () => {
    expect(registerWasmTrainingKernels()).toEqual([]);
  });
});
