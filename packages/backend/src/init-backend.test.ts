import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { isApbError } from './errors.js';
import { initBackend } from './init-backend.js';
import { listBackends } from './list-backends.js';

const availability = await listBackends();
const isAvailable = (name: string) => availability.find((entry) => entry.backend === name)?.available === true;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('listBackends', () => {
  it('lists every backend in auto order, with a reason for each unavailable one', () => {
    expect(availability.map((entry) => entry.backend)).toEqual(['native', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    for (const entry of availability) {
      if (!entry.available) expect(entry.reason).toMatch(/\S/);
    }
    expect(isAvailable('wasm')).toBe(true);
    expect(isAvailable('cpu')).toBe(true);
  });
});

describe('initBackend', () => {
  it('with wasm activates wasm with its training kernels and reports threads, SIMD and versions', async () => {
    const info = await initBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(info).toMatchObject({ name: 'wasm', requested: 'wasm', threads: 1 });
    expect(typeof info.simd).toBe('boolean');
    expect(info.addedKernels).toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(info.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(info.versions['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
    expect(info.versions.node).toBe(process.versions.node);
  });

  it('returns the same answer when called twice with the same options', async () => {
    const first = await initBackend({ backend: 'wasm' });
    const second = await initBackend({ backend: 'wasm' });
    expect(second).toEqual(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('notes that wasm runs one thread in Node when more are asked for', async () => {
    const info = await initBackend({ backend: 'wasm', threads: 2 });
    expect(info.threads).toBe(1);
    expect(info.notes.join('\n')).toMatch(/asked for 2 threads, runs 1/);
  });

  it('with cpu activates cpu', async () => {
    const info = await initBackend({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(info).toMatchObject({ name: 'cpu', requested: 'cpu', threads: 1, simd: false });
  });

  it('with auto takes the first available backend and notes why each earlier one was skipped', async () => {
    const info = await initBackend();
    const first = availability.find((entry) => entry.available)!;
    expect(info.requested).toBe('auto');
    expect(tf.getBackend()).toBe(info.name);
    const skipped = availability.slice(0, availability.indexOf(first));
    expect(info.notes.filter((note) => /^[a-z-]+: /.test(note) && !note.startsWith('wasm: asked'))).toHaveLength(skipped.length);
    for (const entry of skipped) expect(info.notes.some((note) => note.startsWith(`${entry.backend}: `))).toBe(true);
  });

  it.skipIf(isAvailable('tensorflow'))('refuses an unavailable tensorflow backend with an error naming the package to install', async () => {
    const error = await rejection(initBackend({ backend: 'tensorflow' }));
    expect(isApbError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const { message, suggestion } = error as { message: string; suggestion: string };
    expect(message).toMatch(/^Backend 'tensorflow' is not available: /);
    expect(message).not.toContain('\n');
    expect(suggestion).toContain('@tensorflow/tfjs-node@4.22.0');
  });

  it.skipIf(isAvailable('tensorflow-gpu'))('refuses an unavailable tensorflow-gpu backend naming @tensorflow/tfjs-node-gpu', async () => {
    const error = await rejection(initBackend({ backend: 'tensorflow-gpu' }));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', suggestion: expect.stringContaining('@tensorflow/tfjs-node-gpu@4.22.0') });
  });

  it('rejects an unknown backend name and a bad thread count with one-line errors', async () => {
    const unknown = await rejection(initBackend({ backend: 'webgl' as never }));
    expect(unknown).toMatchObject({ code: 'BACKEND_UNKNOWN', suggestion: expect.stringContaining('wasm') });
    const threads = await rejection(initBackend({ backend: 'wasm', threads: 0 }));
    expect(threads).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining("'threads'") });
  });

  it('takes the thread count from APB_THREADS when the option is left out, and checks it too', async () => {
    const previous = process.env.APB_THREADS;
    try {
      process.env.APB_THREADS = 'two';
      const error = await rejection(initBackend({ backend: 'cpu' }));
      expect(error).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('APB_THREADS') });
      process.env.APB_THREADS = '1';
      await expect(initBackend({ backend: 'cpu' })).resolves.toMatchObject({ name: 'cpu', threads: 1 });
    } finally {
      if (previous === undefined) delete process.env.APB_THREADS;
      else process.env.APB_THREADS = previous;
    }
  });
});
