// Test helpers: run the same computation on 'cpu' and 'native' and compare.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { lcg32 } from '@apb/core';
import { describe } from 'vitest';

import { nativeBackendUnavailableReason, registerNativeBackend } from '../register-native-backend.js';

const reason = nativeBackendUnavailableReason();

/** True when the addon is missing and the tests that need it are skipped. */
export const nativeMissing = reason !== undefined;

/**
 * `describe` for suites that need the addon: skipped, with the reason in the title, when the addon
 * did not build. Under CI (`CI=true`) the availability test in register-native-backend.test.ts fails
 * instead, so a broken build cannot pass as skipped tests.
 */
export function describeNative(title: string, body: () => void): void {
  if (reason !== undefined) {
    describe.skip(`${title} (skipped: native addon unavailable: ${reason})`, body);
  } else {
    describe(title, body);
  }
}

/** Seeded values in [-scale, scale) from a small linear congruential generator. */
export function seededValues(size: number, seed: number, scale = 1): Float32Array {
  const values = new Float32Array(size);
  const next = lcg32((seed * 2654435761) >>> 0 || 1);
  for (let i = 0; i < size; i++) values[i] = (next() * 2 - 1) * scale;
  return values;
}

/** Makes 'native' the active backend (registering it once). */
export async function useNative(threads = 2): Promise<void> {
  await registerNativeBackend({ threads });
}

/** Runs `compute` on `backend` and returns its outputs as plain arrays, disposing every tensor. */
export async function runOn(backend: 'cpu' | 'native', compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  if (backend === 'native') {
    await useNative();
  } else {
    await tf.setBackend('cpu');
  }
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const values = outputs.map((tensor) => Float32Array.from(tensor.dataSync()));
  tf.dispose(outputs);
  return values;
}

/** max |actual - expected| / max(max |expected|, 1e-6): the norm-wise relative error. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff / scale;
}

/** Computes on both backends and returns the worst relative error over all outputs. */
export async function parityError(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  if (expected.length !== actual.length) return Number.POSITIVE_INFINITY;
  return Math.max(...expected.map((values, i) => relativeError(actual[i]!, values)));
}

/** Asserts that running `compute` on 'native' leaves no tensor behind. */
export async function leakedTensors(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  await useNative();
  const before = tf.memory().numTensors;
  const result = compute();
  tf.dispose(result);
  return tf.memory().numTensors - before;
}
