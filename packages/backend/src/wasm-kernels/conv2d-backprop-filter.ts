import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelBackend,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { callWasmKernel, pair, release } from './call-kernel.js';
import { cropToFilter, swappedGradientPad } from './swapped-filter-gradient.js';

/**
 * Attributes of `Conv2DBackpropFilter`, plus the optional `dilations` that tfjs-core's kernel
 * signature lacks (its gradient of a dilated conv2d is unsupported), so the kernel can serve
 * dilated convolutions written against it directly.
 */
export type Conv2DBackpropFilterWasmAttrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/**
 * The filter gradient of a 2-D convolution as one wasm Conv2D with the roles swapped:
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh*d - pad, …, ci] * dy[b, oh, ow, co]
 * is a convolution of x (input channels as batch, batch as channels) with dy (its spatial size as
 * the filter, batch as input channels), whose stride is the original dilation and whose dilation is
 * the original stride.
 */
export function conv2DBackpropFilterWasm(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterWasmAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const dilations = pair(attrs.dilations);
  const channelsLast = backend_util.convertConv2DDataFormat(dataFormat) === 'channelsLast';
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );

  // [ci, H, W, batch] and [outH, outW, batch, co], whatever the data format.
  const xSwapped = callWasmKernel('Transpose', backend, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] });
  const dySwapped = callWasmKernel('Transpose', backend, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] });

  const swappedGrad = callWasmKernel(
    'Conv2D',
    backend,
    { x: xSwapped, filter: dySwapped },
    {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: swappedGradientPad(info),
      dataFormat: 'NHWC',
    },
  );
  release(backend, xSwapped, dySwapped);

  const cropped = cropToFilter(backend, swappedGrad, info);
  const dw = callWasmKernel('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] });
  release(backend, cropped);
  return dw;
}

/** `Conv2DBackpropFilter` for the `wasm` backend, which ships without it. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
