import { backend_util, MaxPool, util, type KernelFunc, type TensorInfo, type MaxPoolAttrs } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** MaxPool (NHWC, float32), threaded over output rows. */
export function maxPoolKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(MaxPool);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolAttrs;
    const xValues = floatValues(backend, x);
    if (!xValues || x.shape.length !== 4) return fallback(args);
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const y = outputArray(util.sizeFromShape(info.outShape));
    addon.maxPool(xValues, y, packGeometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
  return { kernelName: MaxPool, kernelFunc: kernelFunc as unknown as KernelFunc };
}
