import { version_core } from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';

/** Versions of the TensorFlow.js packages this package always loads, and of Node. */
export function tfjsVersions(): Record<string, string> {
  return {
    '@tensorflow/tfjs-core': version_core,
    '@tensorflow/tfjs-backend-cpu': version_cpu,
    '@tensorflow/tfjs-backend-wasm': version_wasm,
    node: process.versions.node,
  };
}
