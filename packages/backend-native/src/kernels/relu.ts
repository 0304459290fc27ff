import { Relu } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { floatUnaryKernel, type NativeKernelConfig } from './kernel-support.js';

/** Relu on float32 tensors (layers' activations run unfused while a gradient tape is recording). */
export function reluKernel(addon: NativeAddon): NativeKernelConfig {
  return floatUnaryKernel(Relu, (x, y) => addon.relu(x, y));
}
