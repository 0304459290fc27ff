import type { backend_util, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

import { callWasmKernel, release } from './call-kernel.js';

/**
 * Explicit padding for a filter gradient computed as a convolution with the roles swapped (stride =
 * original dilation, dilation = original stride). Only the bottom/right padding the last filter tap
 * reaches is needed; 'valid' convolutions whose stride leaves rows unused need none and then yield
 * extra taps, which {@link cropToFilter} removes.
 */
export function swappedGradientPad(info: backend_util.Conv2DInfo): [[number, number], [number, number], [number, number], [number, number]] {
  const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, padInfo } = info;
  const padBottom = Math.max(0, (filterHeight - 1) * info.dilationHeight + (outHeight - 1) * info.strideHeight + 1 - inHeight - padInfo.top);
  const padRight = Math.max(0, (filterWidth - 1) * info.dilationWidth + (outWidth - 1) * info.strideWidth + 1 - inWidth - padInfo.left);
  return [
    [0, 0],
    [padInfo.top, padBottom],
    [padInfo.left, padRight],
    [0, 0],
  ];
}

/**
 * Crops a swapped-convolution result `[lead, taps, taps, trail]` to the filter's size, releasing
 * the uncropped data; returns `result` itself when there is nothing to crop.
 */
export function cropToFilter(backend: KernelBackend, result: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const [lead, height, width, trail] = result.shape as [number, number, number, number];
  if (height === info.filterHeight && width === info.filterWidth) return result;
  const cropped = callWasmKernel('Slice', backend, { x: result }, { begin: [0, 0, 0, 0], size: [lead, info.filterHeight, info.filterWidth, trail] });
  release(backend, result);
  return cropped;
}
