import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { NativeBackendError } from './errors.js';
import { nativeBackendUnavailableReason, registerNativeBackend } from './register-native-backend.js';
import { describeNative } from './testing-internal/parity.js';

it('has the native addon built when running under CI, which installs libdnnl-dev', () => {
  if (process.env.CI !== 'true') {
    // Outside CI a missing addon only skips the native suites; their titles give the reason.
    expect(typeof (nativeBackendUnavailableReason() ?? '')).toBe('string');
    return;
  }
  expect(nativeBackendUnavailableReason()).toBeUndefined();
});

describeNative('registerNativeBackend', () => {
  it('registers and activates the native backend and reports its threads', async () => {
    const info = await registerNativeBackend({ threads: 2 });
    expect(info).toEqual({ name: 'native', threads: 2, simd: expect.any(Boolean) as boolean });
    expect(tf.getBackend()).toBe('native');
  });

  it('can be called again to change the thread count', async () => {
    expect((await registerNativeBackend({ threads: 1 })).threads).toBe(1);
    expect((await registerNativeBackend({ threads: 2 })).threads).toBe(2);
  });

  it('rejects a thread count that is not a positive integer with a one-line error', async () => {
    const error = await registerNativeBackend({ threads: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NativeBackendError);
    expect((error as NativeBackendError).code).toBe('INVALID_OPTION');
    expect((error as Error).message).not.toContain('\n');
    expect((error as Record<symbol, unknown>)[Symbol.for('apb.error')]).toBe(true);
  });

  it('registers every cpu kernel for native, so any op runs', async () => {
    await registerNativeBackend();
    const native = new Set(tf.getKernelsForBackend('native').map((kernel) => kernel.kernelName));
    const missing = tf.getKernelsForBackend('cpu').map((kernel) => kernel.kernelName).filter((name) => !native.has(name));
    expect(missing).toEqual([]);
    expect(Array.from(tf.tidy(() => tf.cumsum(tf.tensor1d([1, 2, 3]))).dataSync())).toEqual([1, 3, 6]);
  });
});
