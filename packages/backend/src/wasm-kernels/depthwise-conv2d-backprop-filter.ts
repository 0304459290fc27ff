import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelBackend,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { callWasmKernel, release } from './call-kernel.js';
import { cropToFilter, swappedGradientPad } from './swapped-filter-gradient.js';

/**
 * The filter gradient of a depthwise convolution (NHWC) as one wasm depthwise convolution:
 * every (batch, channel) pair of x becomes one channel of a batch-1 image, convolved with the
 * matching channel of dy as its filter (stride = original dilation, dilation = original stride);
 * the batch is then summed out.
 */
export function depthwiseConv2dNativeBackpropFilterWasm(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const multiplier = filterShape[3];
  const groups = batchSize * inChannels;

  const xT = callWasmKernel('Transpose', backend, { x }, { perm: [1, 2, 0, 3] });
  const xGrouped = callWasmKernel('Reshape', backend, { x: xT }, { shape: [1, inHeight, inWidth, groups] });
  const dy5 = callWasmKernel('Reshape', backend, { x: dy }, { shape: [batchSize, outHeight, outWidth, inChannels, multiplier] });
  const dyT = callWasmKernel('Transpose', backend, { x: dy5 }, { perm: [1, 2, 0, 3, 4] });
  const dyFilter = callWasmKernel('Reshape', backend, { x: dyT }, { shape: [outHeight, outWidth, groups, multiplier] });
  release(backend, xT, dy5, dyT);

  const perGroup = callWasmKernel(
    'DepthwiseConv2dNative',
    backend,
    { x: xGrouped, filter: dyFilter },
    {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: swappedGradientPad(info),
    },
  );
  release(backend, xGrouped, dyFilter);

  const cropped = cropToFilter(backend, perGroup, info);
  const perBatch = callWasmKernel('Reshape', backend, { x: cropped }, { shape: [filterHeight, filterWidth, batchSize, inChannels * multiplier] });
  const summed = callWasmKernel('Sum', backend, { x: perBatch }, { axis: [2], keepDims: false });
  release(backend, cropped, perBatch);
  const dw = callWasmKernel('Reshape', backend, { x: summed }, { shape: [...filterShape] });
  release(backend, summed);
  return dw;
}

/** `DepthwiseConv2dNativeBackpropFilter` for the `wasm` backend, which ships without it. */
export const depthwiseConv2dNativeBackpropFilterWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilterWasm as unknown as KernelFunc,
};
