import {
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type KernelBackend,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { callWasmKernel, pair, release } from './call-kernel.js';

/**
 * The input gradient of a depthwise convolution (NHWC) through wasm's `Conv2DBackpropInput`, with
 * the depthwise filter [kh, kw, C, M] spread to a block-diagonal dense filter [kh, kw, C, C*M].
 * That costs C times the arithmetic of a dedicated kernel, which is cheap for the small channel
 * counts depthwise layers have in our models. wasm's kernel takes no dilation, so a dilated filter
 * is expanded with zeros between its taps first.
 */
export function depthwiseConv2dNativeBackpropInputWasm(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, pad, dimRoundingMode, inputShape } = attrs;
  const [dilationHeight, dilationWidth] = pair(attrs.dilations);
  const [filterHeight, filterWidth, channels, multiplier] = filter.shape as [number, number, number, number];

  const identityValues = new Float32Array(channels * channels);
  for (let c = 0; c < channels; c++) identityValues[c * channels + c] = 1;
  const eye = (backend as unknown as WasmMakeOutput).makeOutput([1, 1, channels, channels, 1], 'float32', undefined, identityValues);
  const filter5 = callWasmKernel('Reshape', backend, { x: filter }, { shape: [filterHeight, filterWidth, channels, 1, multiplier] });
  const spread = callWasmKernel('Multiply', backend, { a: filter5, b: eye });
  let dense = callWasmKernel('Reshape', backend, { x: spread }, { shape: [filterHeight, filterWidth, channels, channels * multiplier] });
  release(backend, eye, filter5, spread);

  if (dilationHeight > 1 || dilationWidth > 1) {
    const outChannels = channels * multiplier;
    const split = callWasmKernel('Reshape', backend, { x: dense }, { shape: [filterHeight, 1, filterWidth, 1, channels, outChannels] });
    const padded = callWasmKernel(
      'PadV2',
      backend,
      { x: split },
      { paddings: [[0, 0], [0, dilationHeight - 1], [0, 0], [0, dilationWidth - 1], [0, 0], [0, 0]], constantValue: 0 },
    );
    const spaced = callWasmKernel('Reshape', backend, { x: padded }, { shape: [filterHeight * dilationHeight, filterWidth * dilationWidth, channels, outChannels] });
    const dilated = callWasmKernel(
      'Slice',
      backend,
      { x: spaced },
      { begin: [0, 0, 0, 0], size: [(filterHeight - 1) * dilationHeight + 1, (filterWidth - 1) * dilationWidth + 1, channels, outChannels] },
    );
    release(backend, dense, split, padded, spaced);
    dense = dilated;
  }

  const dx = callWasmKernel(
    'Conv2DBackpropInput',
    backend,
    { dy, filter: dense },
    { strides, pad, dataFormat: 'NHWC', inputShape, ...(dimRoundingMode === undefined ? {} : { dimRoundingMode }) },
  );
  release(backend, dense);
  return dx;
}

/** The part of the wasm backend's API used to upload the small identity block. */
interface WasmMakeOutput {
  makeOutput(shape: number[], dtype: 'float32', memoryOffset: undefined, values: Float32Array): TensorInfo;
}

/** `DepthwiseConv2dNativeBackpropInput` for the `wasm` backend, which ships without it. */
export const depthwiseConv2dNativeBackpropInputWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInputWasm as unknown as KernelFunc,
};
