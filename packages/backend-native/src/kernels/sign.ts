import { Sign, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Sign on float32 tensors: the direction of every FGSM step and PGD iteration. */
export function signKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Sign);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const y = outputArray(xValues.length);
    addon.sign(xValues, y);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
  return { kernelName: Sign, kernelFunc: kernelFunc as unknown as KernelFunc };
}
