import { ClipByValue, type ClipByValueAttrs } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { floatUnaryKernel, type NativeKernelConfig } from './kernel-support.js';

/** ClipByValue on float32 tensors: every attack's projection back into [0, 1]. */
export function clipByValueKernel(addon: NativeAddon): NativeKernelConfig {
  return floatUnaryKernel(ClipByValue, (x, y, { clipValueMin, clipValueMax }: ClipByValueAttrs) => addon.clipByValue(x, y, clipValueMin, clipValueMax));
}
