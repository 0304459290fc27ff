import {
  backend_util, Conv2DBackpropFilter, util, type Conv2DBackpropFilterAttrs,
  type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Conv2DBackpropFilter (gradient of Conv2D by its filter) as im2col + transposed GEMM. */
export function conv2dBackpropFilterKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Conv2DBackpropFilter);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
    const { filterShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const xValues = floatValues(backend, x);
    const dyValues = floatValues(backend, dy);
    if (dataFormat === 'NCHW' || !xValues || !dyValues) return fallback(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const dw = outputArray(util.sizeFromShape(info.filterShape));
    addon.conv2dBackpropFilter(xValues, dyValues, dw, packGeometry(info));
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  };
  return { kernelName: Conv2DBackpropFilter, kernelFunc: kernelFunc as unknown as KernelFunc };
}
