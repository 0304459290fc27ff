import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

import { makeBatchMatMulWasm } from './batch-mat-mul.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterWasmConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputWasmConfig } from './depthwise-conv2d-backprop-input.js';

/** The kernels `wasm` lacks for training conv nets. */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  depthwiseConv2dNativeBackpropFilterWasmConfig,
  depthwiseConv2dNativeBackpropInputWasmConfig,
];

/** wasm kernels replaced by faster compositions of wasm's own kernels, each wrapping the original. */
export const wasmKernelReplacements: readonly { kernelName: string; make: (original: KernelConfig) => KernelConfig }[] = [
  { kernelName: 'BatchMatMul', make: makeBatchMatMulWasm },
  { kernelName: 'Conv2DBackpropInput', make: makeConv2DBackpropInputWasm },
];

const REPLACED = Symbol.for('apb.wasmKernelReplacement');

/**
 * Registers {@link wasmTrainingKernels} for `wasm` (skipping any the installed backend already
 * has) and swaps in {@link wasmKernelReplacements}. Safe to call any number of times, before or
 * after the wasm backend starts. Returns the names registered or replaced by this call.
 */
export function registerWasmTrainingKernels(): string[] {
  const changed: string[] = [];
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) continue;
    registerKernel(config);
    changed.push(config.kernelName);
  }
  for (const { kernelName, make } of wasmKernelReplacements) {
    const original = getKernel(kernelName, 'wasm');
    if (original === undefined || (original as unknown as Record<symbol, unknown>)[REPLACED] === true) continue;
    const replacement = make(original);
    unregisterKernel(kernelName, 'wasm');
    // The original's setup (binding its wasm function) must still run when the backend starts.
    registerKernel(Object.assign({ ...replacement, ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}) }, { [REPLACED]: true }));
    changed.push(kernelName);
  }
  return changed;
}
