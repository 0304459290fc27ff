import { ClipByValue, type ClipByValueAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** ClipByValue on float32 tensors: every attack's projection back into [0, 1]. */
export function clipByValueKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(ClipByValue);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const { clipValueMin, clipValueMax } = args.attrs as unknown as ClipByValueAttrs;
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const y = outputArray(xValues.length);
    addon.clipByValue(xValues, y, clipValueMin, clipValueMax);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
  return { kernelName: ClipByValue, kernelFunc: kernelFunc as unknown as KernelFunc };
}
