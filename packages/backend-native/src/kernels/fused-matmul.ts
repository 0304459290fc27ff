import {
  _FusedMatMul, util, type _FusedMatMulAttrs, type KernelFunc, type TensorInfo,
} from '@tensorflow/tfjs-core';

import { ACTIVATION_CODES, type NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';
import { matMulGeometry } from './matmul-geometry.js';

/** _FusedMatMul (dense layers) with bias and ReLU applied natively; other activations go to the cpu kernel. */
export function fusedMatMulKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(_FusedMatMul);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { a, b, bias, preluActivationWeights } = inputs as unknown as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
    const aValues = floatValues(backend, a);
    const bValues = floatValues(backend, b);
    const geometry = matMulGeometry(a, b, transposeA, transposeB);
    const code = ACTIVATION_CODES[activation as keyof typeof ACTIVATION_CODES] as number | undefined;
    if (!aValues || !bValues || !geometry || code === undefined || preluActivationWeights) return fallback(args);
    const { batchA, batchB, m, n, k, outShape } = geometry;
    let biasValues: Float32Array | null = null;
    if (bias) {
      const values = floatValues(backend, bias);
      const size = util.sizeFromShape(bias.shape);
      const perColumn = size === n && (bias.shape.at(-1) ?? 1) === n;
      if (!values || !(size === 1 || perColumn)) return fallback(args);
      biasValues = values;
    }
    const out = outputArray(Math.max(batchA, batchB) * m * n);
    addon.batchMatMul(aValues, bValues, out, batchA, batchB, m, n, k, transposeA, transposeB, biasValues, code);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: _FusedMatMul, kernelFunc: kernelFunc as unknown as KernelFunc };
}
