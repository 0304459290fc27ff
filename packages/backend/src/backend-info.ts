/**
 * Which TensorFlow.js backend to use. `auto` takes the fastest that loads: `native`
 * (`@apb/backend-native`), `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`), `tensorflow`
 * (`@tensorflow/tfjs-node`), `wasm`, then `cpu`.
 */
export type BackendChoice = 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu' | 'native';

/** Every {@link BackendChoice}, `auto` first, then the order `auto` tries them in. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Backend to use; default `auto`. */
  backend?: BackendChoice;
  /**
   * Threads the backend may use, where it can be told (`native`, and `wasm` where its threaded build
   * runs, which is not Node: there it is one). Default: the backend's own choice.
   */
  threads?: number;
}

/** What {@link initBackend} chose; recorded in every run.json and bench result. */
export interface BackendInfo {
  /** TensorFlow.js backend name now active, e.g. `wasm`, `cpu`, `tensorflow`, `native`. */
  name: string;
  /** What was asked for. */
  requested: BackendChoice;
  /** Threads the backend computes with. */
  threads: number;
  /** Whether its kernels use SIMD instructions. */
  simd: boolean;
  /** Why preferred backends were skipped, and other facts worth keeping with results. */
  notes: string[];
  /** Versions of the TensorFlow.js packages in use and of Node. */
  versions: Record<string, string>;
  /** Kernels this package registered for the chosen backend (the wasm training kernels). */
  addedKernels: string[];
}
