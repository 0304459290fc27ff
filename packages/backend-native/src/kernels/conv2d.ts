import { backend_util, Conv2D, type Conv2DAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { ACTIVATION_CODES, type NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Conv2D (NHWC, float32) as im2col + oneDNN GEMM; other layouts and dtypes go to the cpu kernel. */
export function conv2dKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Conv2D);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x, filter } = inputs as unknown as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
    const xValues = floatValues(backend, x);
    const filterValues = floatValues(backend, filter);
    if (dataFormat === 'NCHW' || !xValues || !filterValues) return fallback(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, dilations,
      pad, dimRoundingMode, false, 'channelsLast');
    const y = outputArray(info.outShape.reduce((a, b) => a * b, 1));
    addon.conv2d(xValues, filterValues, null, y, packGeometry(info), ACTIVATION_CODES.linear);
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
  return { kernelName: Conv2D, kernelFunc: kernelFunc as unknown as KernelFunc };
}
