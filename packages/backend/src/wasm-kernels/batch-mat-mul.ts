import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { callWasmKernel, release } from './call-kernel.js';

/**
 * Makes a `BatchMatMul` for wasm that transposes its operands explicitly and then runs wasm's own
 * kernel without transposes. wasm's kernel takes its fast (XNNPACK) path only for untransposed
 * operands; the transposed products every dense layer's backward pass asks for (dW = xᵀ·dy,
 * dx = dy·Wᵀ) are several times slower than a transpose plus the fast path.
 */
export function makeBatchMatMulWasm(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: BatchMatMulInputs; backend: KernelBackend; attrs: BatchMatMulAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    const swapLast = (info: TensorInfo) => {
      const perm = info.shape.map((_, i) => i);
      const rank = perm.length;
      [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
      return callWasmKernel('Transpose', backend, { x: info }, { perm });
    };
    const a = transposeA ? swapLast(inputs.a as TensorInfo) : (inputs.a as TensorInfo);
    const b = transposeB ? swapLast(inputs.b as TensorInfo) : (inputs.b as TensorInfo);
    const out = original.kernelFunc({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    if (transposeA) release(backend, a);
    if (transposeB) release(backend, b);
    return out;
  };
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
