import { Step, type StepAttrs } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { floatUnaryKernel, type NativeKernelConfig } from './kernel-support.js';

/** Step (the ReLU gradient's mask) on float32 tensors. */
export function stepKernel(addon: NativeAddon): NativeKernelConfig {
  return floatUnaryKernel(Step, (x, y, { alpha }: StepAttrs) => addon.step(x, y, alpha));
}
