import {
  backend_util, Conv2DBackpropInput, util, type Conv2DBackpropInputAttrs, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Conv2DBackpropInput (gradient of Conv2D by its input) as GEMM + col2im. */
export function conv2dBackpropInputKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Conv2DBackpropInput);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { dy, filter } = inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const dyValues = floatValues(backend, dy);
    const filterValues = floatValues(backend, filter);
    if (dataFormat === 'NCHW' || !dyValues || !filterValues) return fallback(args);
    const info = backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const dx = outputArray(util.sizeFromShape(info.inShape));
    addon.conv2dBackpropInput(dyValues, filterValues, dx, packGeometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  };
  return { kernelName: Conv2DBackpropInput, kernelFunc: kernelFunc as unknown as KernelFunc };
}
