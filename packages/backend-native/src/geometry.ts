import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * Packs a tfjs conv/pool geometry into the Int32Array layout of `ConvGeometry` in
 * `native/common.h`. Pooling passes its channel count as `outChannels`.
 */
export function packGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.filterHeight, info.filterWidth,
    info.padInfo.top, info.padInfo.left,
  );
}
