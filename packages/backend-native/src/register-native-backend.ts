import { availableParallelism } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';

import { loadAddon } from './addon.js';
import { NativeBackendError } from './errors.js';
import { nativeKernels } from './kernels/native-kernels.js';
import { setBufferReuse } from './buffer-pool.js';
import { NativeBackend, escapeTrackedKernel } from './native-backend.js';

/** Name under which the backend is registered with TensorFlow.js. */
export const NATIVE_BACKEND_NAME = 'native';

/** Options of {@link registerNativeBackend}. */
export interface NativeBackendOptions {
  /** Threads the native kernels may use; default: every core (`os.availableParallelism()`). */
  threads?: number;
  /**
   * Reuse the arrays of disposed kernel outputs for new ones (default true): a training step then
   * writes into memory it already touched instead of faulting in fresh pages every step. Results
   * are bitwise the same either way; the pool holds at most 512 MiB that `tf.memory()` does not
   * count. `false` turns it off and releases what it holds.
   */
  reuseBuffers?: boolean;
}

/** What {@link registerNativeBackend} set up. */
export interface NativeBackendInfo {
  /** Always `'native'`. */
  name: string;
  /** Threads the native kernels use. */
  threads: number;
  /** True when the addon was compiled for AVX2 or AVX-512 (oneDNN picks its own ISA at run time). */
  simd: boolean;
}

/** Why the native backend cannot be used here, or undefined if it can. Never throws. */
export function nativeBackendUnavailableReason(): string | undefined {
  const loaded = loadAddon();
  return loaded.ok ? undefined : loaded.reason;
}

let kernelsRegistered = false;

/**
 * Registers the TensorFlow.js backend `'native'` (the cpu backend, with convolutions, matmuls and
 * max pooling replaced by the oneDNN-based addon) and makes it the active backend.
 *
 * @throws {NativeBackendError} with a one-line reason when the addon did not build or load.
 */
export async function registerNativeBackend(options: NativeBackendOptions = {}): Promise<NativeBackendInfo> {
  const loaded = loadAddon();
  if (!loaded.ok) {
    throw new NativeBackendError(`The native backend is unavailable: ${loaded.reason}.`, {
      code: 'NATIVE_ADDON_UNAVAILABLE',
      suggestion: 'Install a C++ compiler and libdnnl-dev, then run `pnpm --filter @apb/backend-native build:addon`.',
    });
  }
  const { addon } = loaded;
  const requested = options.threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new NativeBackendError(`threads must be a positive integer, got ${requested}.`, {
      code: 'INVALID_OPTION',
      suggestion: 'Pass threads >= 1, or leave it out to use every core.',
    });
  }
  const threads = addon.setThreads(requested);
  setBufferReuse(options.reuseBuffers ?? true);

  if (!tf.findBackendFactory(NATIVE_BACKEND_NAME)) {
    // Lowest priority: tfjs must never pick 'native' on its own, only when asked to.
    tf.registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(), 0);
  }
  if (!kernelsRegistered) {
    const replaced = nativeKernels(addon);
    const replacedNames = new Set(replaced.map((kernel) => kernel.kernelName));
    for (const kernel of tf.getKernelsForBackend('cpu')) {
      if (!replacedNames.has(kernel.kernelName)) tf.registerKernel({ ...escapeTrackedKernel(kernel), backendName: NATIVE_BACKEND_NAME });
    }
    for (const kernel of replaced) tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND_NAME });
    kernelsRegistered = true;
  }
  if (!(await tf.setBackend(NATIVE_BACKEND_NAME))) {
    throw new NativeBackendError('TensorFlow.js could not initialise the native backend.', {
      code: 'NATIVE_BACKEND_INIT_FAILED',
      suggestion: 'Run with the cpu or wasm backend, and report this with the output of `node --version`.',
    });
  }
  return { name: NATIVE_BACKEND_NAME, threads, simd: addon.info().isa !== 'baseline' };
}
