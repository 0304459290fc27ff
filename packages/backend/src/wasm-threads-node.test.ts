import os from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { initBackend } from './init-backend.js';
import { relativeError, seededValues } from './testing-internal/parity.js';

// This file runs in its own process (Vitest forks per file), so the wasm module starts here, threaded.
describe('the threaded wasm build in Node (experimental)', () => {
  it('starts with the threads asked for, leaves the patched globals as they were, and computes what cpu computes', async () => {
    const blob = globalThis.Blob;
    const cores = os.cpus().length;
    const info = await initBackend({ backend: 'wasm', threads: 2 });
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(Math.min(2, cores));
    expect(info.notes.join('\n')).toMatch(/threaded build/);
    expect(globalThis.Blob).toBe(blob);
    expect(os.cpus()).toHaveLength(cores);

    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(seededValues(32 * 16 * 16 * 3, 51), [32, 16, 16, 3]);
      const w = tf.tensor4d(seededValues(3 * 3 * 3 * 8, 52), [3, 3, 3, 8]);
      const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
      const values = [await dx!.data(), await dw!.data()] as Float32Array[];
      tf.dispose([x, w, dx!, dw!]);
      return values;
    };
    const threaded = await gradients('wasm');
    const cpu = await gradients('cpu');
    threaded.forEach((values, i) => expect(relativeError(values, cpu[i]!)).toBeLessThanOrEqual(1e-4));
  });
});
