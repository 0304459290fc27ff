import {
  backend_util, FusedConv2D, util, type FusedConv2DAttrs, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';

import { ACTIVATION_CODES, type NativeAddon } from '../addon.js';
import { packGeometry } from '../geometry.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/**
 * FusedConv2D with bias and ReLU (or no activation) applied in the same pass over the output,
 * while it is still in cache. Other activations and layouts go to the cpu kernel.
 */
export function fusedConv2dKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(FusedConv2D);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as unknown as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = args.attrs as unknown as FusedConv2DAttrs;
    const xValues = floatValues(backend, x);
    const filterValues = floatValues(backend, filter);
    const code = ACTIVATION_CODES[activation as keyof typeof ACTIVATION_CODES] as number | undefined;
    if (dataFormat === 'NCHW' || !xValues || !filterValues || code === undefined || preluActivationWeights) {
      return fallback(args);
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, dilations,
      pad, dimRoundingMode, false, 'channelsLast');
    let biasValues: Float32Array | null = null;
    if (bias) {
      const values = floatValues(backend, bias);
      const size = util.sizeFromShape(bias.shape);
      const perChannel = size === info.outChannels && (bias.shape.at(-1) ?? 1) === info.outChannels;
      if (!values || !(size === 1 || perChannel)) return fallback(args);
      biasValues = values;
    }
    const y = outputArray(util.sizeFromShape(info.outShape));
    addon.conv2d(xValues, filterValues, biasValues, y, packGeometry(info), code);
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
  return { kernelName: FusedConv2D, kernelFunc: kernelFunc as unknown as KernelFunc };
}
