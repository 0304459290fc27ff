import { availableParallelism } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';

import { provideFusedAdam } from './adam.js';
import type { BackendChoice } from './backend-info.js';
import { optionalImport } from './optional-import.js';
import { prepareThreadedWasm } from './wasm-threads-node.js';
import { registerWasmTrainingKernels } from './wasm-kernels/register-wasm-training-kernels.js';

/** What activating a backend found out. */
export interface ActivatedBackend {
  name: string;
  threads: number;
  simd: boolean;
  notes: string[];
  versions: Record<string, string>;
  addedKernels: string[];
}

/** How to find out whether a backend can run here and how to make it the active one. */
export interface BackendLoader {
  choice: Exclude<BackendChoice, 'auto'>;
  /** The package a user installs to get it. */
  packageName: string;
  /** `null` when it can be activated, else why not (one line). */
  probe(): Promise<string | null>;
  /** Makes it the active TensorFlow.js backend; throws (plain Error) when that fails. */
  activate(threads: number | undefined): Promise<ActivatedBackend>;
}

/** The contract of `@apb/backend-native`, developed separately and loaded only if installed. */
interface NativeBackendModule {
  registerNativeBackend(options?: { threads?: number }): Promise<{ name: string; threads: number; simd: boolean }>;
  fusedAdam?: (learningRate: number) => tf.AdamOptimizer;
  version?: string;
}

async function setActive(name: string): Promise<void> {
  if (tf.getBackend() === name) return;
  // setBackend reports failure with `false` and a console warning; turn that into an error with a reason.
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed to initialise the backend`);
  await tf.ready();
}

const nativeLoader: BackendLoader = {
  choice: 'native',
  packageName: '@apb/backend-native',
  async probe() {
    const loaded = await optionalImport<Partial<NativeBackendModule>>('@apb/backend-native');
    if ('reason' in loaded) return loaded.reason;
    return typeof loaded.module.registerNativeBackend === 'function' ? null : '@apb/backend-native has no registerNativeBackend export';
  },
  async activate(threads) {
    const loaded = await optionalImport<NativeBackendModule>('@apb/backend-native');
    if ('reason' in loaded) throw new Error(loaded.reason);
    const registered = await loaded.module.registerNativeBackend(threads === undefined ? {} : { threads });
    await setActive(registered.name);
    provideFusedAdam(loaded.module.fusedAdam);
    const versions: Record<string, string> = {};
    if (typeof loaded.module.version === 'string') versions['@apb/backend-native'] = loaded.module.version;
    return { name: registered.name, threads: registered.threads, simd: registered.simd, notes: [], versions, addedKernels: [] };
  },
};

function tensorflowLoader(choice: 'tensorflow' | 'tensorflow-gpu', packageName: string): BackendLoader {
  return {
    choice,
    packageName,
    async probe() {
      const loaded = await optionalImport(packageName);
      return 'reason' in loaded ? loaded.reason : null;
    },
    async activate() {
      const loaded = await optionalImport<{ version?: string }>(packageName);
      if ('reason' in loaded) throw new Error(loaded.reason);
      await setActive('tensorflow');
      const versions: Record<string, string> = {};
      if (typeof loaded.module.version === 'string') versions[packageName] = loaded.module.version;
      return {
        name: 'tensorflow',
        // libtensorflow sizes its intra-op thread pool to the machine unless told otherwise.
        threads: availableParallelism(),
        // Its prebuilt CPU binaries are compiled with AVX; on GPU the question does not apply.
        simd: choice === 'tensorflow',
        notes: [],
        versions,
        addedKernels: [],
      };
    },
  };
}

const wasmLoader: BackendLoader = {
  choice: 'wasm',
  packageName: '@tensorflow/tfjs-backend-wasm',
  async probe() {
    if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return 'this JavaScript runtime has no WebAssembly';
    return tf.findBackendFactory('wasm') === null ? '@tensorflow/tfjs-backend-wasm did not register its backend' : null;
  },
  async activate(threads) {
    const addedKernels = registerWasmTrainingKernels();
    const notes: string[] = [];
    const starting = tf.findBackend('wasm') === null;
    // The wasm module reads its thread count once, when it starts.
    let restore: (() => void) | undefined;
    if (starting && threads !== undefined && threads > 1) {
      restore = prepareThreadedWasm(threads, setThreadsCount);
      notes.push(`wasm: threaded build started in Node by @apb/backend's experimental shim (tfjs#3830), ${threads} threads asked`);
    } else if (starting && threads !== undefined) {
      setThreadsCount(threads);
    }
    try {
      await setActive('wasm');
    } finally {
      restore?.();
    }
    const actual = getThreadsCount();
    if (threads !== undefined && threads !== actual) {
      notes.push(
        starting
          ? `wasm: asked for ${threads} threads, runs ${actual} (tfjs caps its thread pool at 8 and at the logical cores)`
          : `wasm: asked for ${threads} threads, runs ${actual}: the wasm module had already started in this process`,
      );
    }
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { name: 'wasm', threads: actual, simd: simd === true, notes, versions: { '@tensorflow/tfjs-backend-wasm': version_wasm }, addedKernels };
  },
};

const cpuLoader: BackendLoader = {
  choice: 'cpu',
  packageName: '@tensorflow/tfjs-backend-cpu',
  async probe() {
    return tf.findBackendFactory('cpu') === null ? '@tensorflow/tfjs-backend-cpu did not register its backend' : null;
  },
  async activate() {
    await setActive('cpu');
    return { name: 'cpu', threads: 1, simd: false, notes: [], versions: {}, addedKernels: [] };
  },
};

/** Every backend we know, in the order `auto` tries them. */
export const backendLoaders: readonly BackendLoader[] = [
  nativeLoader,
  tensorflowLoader('tensorflow-gpu', '@tensorflow/tfjs-node-gpu'),
  tensorflowLoader('tensorflow', '@tensorflow/tfjs-node'),
  wasmLoader,
  cpuLoader,
];
