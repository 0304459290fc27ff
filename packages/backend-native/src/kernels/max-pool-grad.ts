import {
  backend_util, MaxPoolGrad, util, type KernelFunc, type TensorInfo, type MaxPoolGradAttrs,
} from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** MaxPoolGrad: routes each output gradient to its window's first maximum, as the cpu kernel does. */
export function maxPoolGradKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(MaxPoolGrad);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { dy, input } = inputs as unknown as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    const dyValues = floatValues(backend, dy);
    const xValues = floatValues(backend, input);
    if (!dyValues || !xValues || input.shape.length !== 4) return fallback(args);
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const dx = outputArray(util.sizeFromShape(info.inShape));
    addon.maxPoolGrad(dyValues, xValues, dx, packGeometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  };
  return { kernelName: MaxPoolGrad, kernelFunc: kernelFunc as unknown as KernelFunc };
}
