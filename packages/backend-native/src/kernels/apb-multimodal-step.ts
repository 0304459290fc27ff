import { APB_MULTIMODAL_STEP, type ApbMultimodalStepAttrs } from '@apb/core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/**
 * DenseApb's multimodal memory step (contract in `@apb/core`) in one addon call instead of about
 * 25 kernel calls per layer and step; bitwise the layer's portable step on this backend.
 */
export function apbMultimodalStepKernel(addon: NativeAddon): NativeKernelConfig {
  const kernelFunc = (args: CpuKernelArgs): TensorInfo => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as ApbMultimodalStepAttrs;
    const { gradientSum, apbWeights, memories } = inputs as unknown as Record<'gradientSum' | 'apbWeights' | 'memories', TensorInfo>;
    const [h, n] = apbWeights.shape;
    const g = floatValues(backend, gradientSum);
    const w = floatValues(backend, apbWeights);
    const m = floatValues(backend, memories);
    if (!g || !w || !m || h === undefined || n === undefined || apbWeights.shape.length !== 2 || g.length !== n || m.length !== h) {
      throw new Error(`${APB_MULTIMODAL_STEP}: needs float32 gradientSum [n], apbWeights [h, n] and memories [1, h].`);
    }
    const next = outputArray(h);
    addon.apbMultimodalStep(g, w, m, next, h, n, attrs.eps, attrs.sign, attrs.accumulate, attrs.budgeted, attrs.hasClip ? attrs.clip : null);
    return backend.makeTensorInfo([1, h], 'float32', next);
  };
  return { kernelName: APB_MULTIMODAL_STEP, kernelFunc: kernelFunc as unknown as KernelFunc };
}
