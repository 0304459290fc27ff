import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';

import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterWasmConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputWasmConfig } from './depthwise-conv2d-backprop-input.js';

/** The kernels `wasm` lacks for training conv nets, in registration order. */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  depthwiseConv2dNativeBackpropFilterWasmConfig,
  depthwiseConv2dNativeBackpropInputWasmConfig,
];

/**
 * Registers {@link wasmTrainingKernels} for `wasm`, skipping any the installed backend already has
 * (a later tfjs may ship its own). Safe to call any number of times. Returns the names registered
 * by this call.
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) continue;
    registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}
