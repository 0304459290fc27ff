import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { pooledBufferBytes, releasePooledBuffers } from './buffer-pool.js';
import { fusedAdam } from './fused-adam.js';
import { registerNativeBackend } from './register-native-backend.js';
import { lenet } from './testing-internal/lenet.js';
import { describeNative } from './testing-internal/parity.js';

/** Large enough to be pooled (the pool skips arrays under 4,096 floats). */
const SIZE = 64 * 1024;

function storage(tensor: tf.Tensor): unknown {
  return (tf.backend() as MathBackendCPU).data.get(tensor.dataId)?.values;
}

/** A native kernel output (Relu) of SIZE floats, all equal to `value`. */
function output(value: number): tf.Tensor {
  return tf.tidy(() => tf.relu(tf.fill([SIZE], value)));
}

function trainWithFusedAdam(steps: number): { losses: number[]; weights: number[][] } {
  const model = lenet(3);
  const optimizer = fusedAdam(1e-3);
  const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3);
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([16], 0, 10, 'int32', 4), 10));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.apply(x, { training: true }) as tf.Tensor), true);
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
  }
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return { losses, weights };
}

describeNative('reuse of native kernel outputs', () => {
  beforeEach(async () => {
    await registerNativeBackend({ threads: 2 });
    releasePooledBuffers();
  });
  afterEach(async () => {
    await registerNativeBackend({ threads: 2 });
  });

  it('gives a disposed output array to the next output of its length', () => {
    const first = output(1);
    const array = storage(first);
    first.dispose();
    expect(pooledBufferBytes()).toBe(SIZE * 4);
    const second = output(2);
    expect(storage(second)).toBe(array);
    expect(pooledBufferBytes()).toBe(0);
    expect(Array.from(second.dataSync().subarray(0, 3))).toEqual([2, 2, 2]);
    second.dispose();
  });

  it('never reuses an array that was read out: the caller keeps its values', () => {
    const first = output(1);
    const values = first.dataSync();
    first.dispose();
    const second = output(2);
    expect(storage(second)).not.toBe(values);
    expect(values.every((v) => v === 1)).toBe(true);
    second.dispose();
  });

  it('never reuses an array a slice may view, even after the sliced tensor is gone', () => {
    const first = output(1);
    const slice = tf.slice(first, [0], [SIZE / 2]);
    first.dispose();
    const second = output(2);
    expect(slice.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([slice, second]);
  });

  it('keeps an array while a clone or a variable made from the tensor still holds it', () => {
    const first = output(1);
    const clone = tf.clone(first);
    const variable = tf.variable(first, false);
    first.dispose();
    const second = output(2);
    expect(storage(second)).not.toBe(storage(clone));
    clone.dispose();
    const third = output(3);
    expect(storage(third)).not.toBe(storage(variable));
    expect(variable.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([second, third, variable]);
  });

  it('trains LeNet with fused Adam bitwise as without reuse', async () => {
    await registerNativeBackend({ threads: 2, reuseBuffers: false });
    const fresh = trainWithFusedAdam(12);
    expect(pooledBufferBytes()).toBe(0);
    await registerNativeBackend({ threads: 2, reuseBuffers: true });
    const reused = trainWithFusedAdam(12);
    expect(reused).toEqual(fresh);
    // The run did reuse: its last step's outputs went back to the pool.
    expect(pooledBufferBytes()).toBeGreaterThan(0);
  });

  it('with reuseBuffers: false gives every output a fresh array', async () => {
    await registerNativeBackend({ threads: 2, reuseBuffers: false });
    const first = output(1);
    const array = storage(first);
    first.dispose();
    const second = output(2);
    expect(storage(second)).not.toBe(array);
    second.dispose();
  });
});
