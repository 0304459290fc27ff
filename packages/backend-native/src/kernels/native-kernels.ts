import type { NativeAddon } from '../addon.js';
import { adamUpdateKernel } from './adam-update.js';
import { apbMultimodalStepKernel } from './apb-multimodal-step.js';
import { clipByValueKernel } from './clip-by-value.js';
import { concatKernel } from './concat.js';
import { batchMatMulKernel } from './batch-matmul.js';
import { binaryKernels } from './binary-kernel.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import { conv2dKernel } from './conv2d.js';
import { fusedConv2dKernel } from './fused-conv2d.js';
import { fusedMatMulKernel } from './fused-matmul.js';
import { gatherV2Kernel } from './gather-v2.js';
import type { NativeKernelConfig } from './kernel-support.js';
import { maxPoolGradKernel } from './max-pool-grad.js';
import { maxPoolKernel } from './max-pool.js';
import { reluKernel } from './relu.js';
import { signKernel } from './sign.js';
import { stepKernel } from './step.js';
import { sumKernel } from './sum.js';

/** Every kernel 'native' replaces (nearly all through the addon), one file each; the rest of 'native' is the cpu backend's. */
export function nativeKernels(addon: NativeAddon): NativeKernelConfig[] {
  return [
    conv2dKernel(addon),
    fusedConv2dKernel(addon),
    conv2dBackpropInputKernel(addon),
    conv2dBackpropFilterKernel(addon),
    batchMatMulKernel(addon),
    fusedMatMulKernel(addon),
    gatherV2Kernel(),
    concatKernel(),
    maxPoolKernel(addon),
    maxPoolGradKernel(addon),
    ...binaryKernels(addon),
    reluKernel(addon),
    stepKernel(addon),
    signKernel(addon),
    clipByValueKernel(addon),
    sumKernel(addon),
    adamUpdateKernel(addon),
    apbMultimodalStepKernel(addon),
  ];
}
