import { Relu, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Relu on float32 tensors (layers' activations run unfused while a gradient tape is recording). */
export function reluKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Relu);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const y = outputArray(xValues.length);
    addon.relu(xValues, y);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
  return { kernelName: Relu, kernelFunc: kernelFunc as unknown as KernelFunc };
}
