import { Sign } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { floatUnaryKernel, type NativeKernelConfig } from './kernel-support.js';

/** Sign on float32 tensors: the direction of every FGSM step and PGD iteration. */
export function signKernel(addon: NativeAddon): NativeKernelConfig {
  return floatUnaryKernel(Sign, (x, y) => addon.sign(x, y));
}
