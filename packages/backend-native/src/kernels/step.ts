import { Step, type KernelFunc, type StepAttrs, type TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Step (the ReLU gradient's mask) on float32 tensors. */
export function stepKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Step);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const { alpha } = args.attrs as unknown as StepAttrs;
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const y = outputArray(xValues.length);
    addon.step(xValues, y, alpha);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
  return { kernelName: Step, kernelFunc: kernelFunc as unknown as KernelFunc };
}
