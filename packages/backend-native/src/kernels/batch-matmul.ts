import { BatchMatMul, type BatchMatMulAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { ACTIVATION_CODES, type NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';
import { matMulGeometry } from './matmul-geometry.js';

/** BatchMatMul (what `tf.matMul` runs) as oneDNN GEMMs, transposes folded into the GEMM call. */
export function batchMatMulKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(BatchMatMul);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { a, b } = inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const aValues = floatValues(backend, a);
    const bValues = floatValues(backend, b);
    const geometry = matMulGeometry(a, b, transposeA, transposeB);
    if (!aValues || !bValues || !geometry) return fallback(args);
    const { batchA, batchB, m, n, k, outShape } = geometry;
    const out = outputArray(Math.max(batchA, batchB) * m * n);
    addon.batchMatMul(aValues, bValues, out, batchA, batchB, m, n, k, transposeA, transposeB, null, ACTIVATION_CODES.linear);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: BatchMatMul, kernelFunc: kernelFunc as unknown as KernelFunc };
}
