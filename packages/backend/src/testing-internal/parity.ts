import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients in Node; tfjs-layers' bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { mulberry32 } from '@apb/core';

import { registerWasmTrainingKernels } from '../wasm-kernels/register-wasm-training-kernels.js';

/** Deterministic values in [-1, 1) (mulberry32), identical on every backend and platform. */
export function seededValues(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = next() * 2 - 1;
  return values;
}

/** Makes both backends ready and the training kernels registered; call in `beforeAll`. */
export async function prepareBackends(): Promise<void> {
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
  await tf.ready();
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Runs one kernel on `backend` with fresh inputs and returns its output values and shape. */
export async function runOn(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: Record<string, unknown>,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, { shape, values }] of Object.entries(inputs)) tensors[name] = tf.tensor(values, shape);
  const out = tf.engine().runKernel<tf.Tensor>(kernelName, tensors, attrs as tf.NamedAttrMap);
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  for (const tensor of Object.values(tensors)) tensor.dispose();
  return { shape, values };
}

/** Largest |a - b| divided by the largest |b| (a max-norm relative error, robust near zeros). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
    maxRef = Math.max(maxRef, Math.abs(expected[i] ?? 0));
  }
  if (Number.isNaN(maxDiff)) return Number.POSITIVE_INFINITY;
  return maxDiff / Math.max(maxRef, 1e-12);
}
