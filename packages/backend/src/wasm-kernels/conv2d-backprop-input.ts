import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { callWasmKernel, release } from './call-kernel.js';

/**
 * Makes a `Conv2DBackpropInput` for wasm that runs on wasm's XNNPACK Conv2D instead of its plain
 * C++ loop (several times slower; this is the conv input gradient of every training step and
 * attack). The input gradient is a stride-1 convolution of dy — spread out with stride-1 zeros
 * between rows and columns — with the filter rotated 180° and its channel roles swapped.
 * NCHW data and explicit paddings wider than the filter fall back to `original`.
 */
export function makeConv2DBackpropInputWasm(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: Conv2DBackpropInputInputs; backend: KernelBackend; attrs: Conv2DBackpropInputAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(dataFormat),
    );
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    const top = filterHeight - 1 - padInfo.top;
    const left = filterWidth - 1 - padInfo.left;
    if (info.dataFormat !== 'channelsLast' || top < 0 || left < 0) {
      return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }

    let spread = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      const split = callWasmKernel('Reshape', backend, { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] });
      const padded = callWasmKernel(
        'PadV2',
        backend,
        { x: split },
        { paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0 },
      );
      spread = callWasmKernel('Reshape', backend, { x: padded }, { shape: [batchSize, outHeight * strideHeight, outWidth * strideWidth, outChannels] });
      release(backend, split, padded);
    }
    const rotated = callWasmKernel('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const swapped = callWasmKernel('Transpose', backend, { x: rotated }, { perm: [0, 1, 3, 2] });
    release(backend, rotated);

    // Bottom/right padding only as far as the last output row/column reads; surplus rows are cropped.
    const spreadHeight = spread.shape[1]!;
    const spreadWidth = spread.shape[2]!;
    const bottom = Math.max(0, inHeight - 1 - top + filterHeight - 1 - (spreadHeight - 1));
    const right = Math.max(0, inWidth - 1 - left + filterWidth - 1 - (spreadWidth - 1));
    const full = callWasmKernel(
      'Conv2D',
      backend,
      { x: spread, filter: swapped },
      { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC' },
    );
    if (spread !== dy) release(backend, spread);
    release(backend, swapped);
    if (full.shape[1] === inHeight && full.shape[2] === inWidth) return full;
    const dx = callWasmKernel('Slice', backend, { x: full }, { begin: [0, 0, 0, 0], size: [batchSize, inHeight, inWidth, inChannels] });
    release(backend, full);
    return dx;
  };
  return { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
