import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

import { ApbError } from '../errors.js';

/**
 * Runs another kernel registered for `wasm` directly on `backend`, bypassing the engine, so the
 * composite kernels below compute with wasm's native (XNNPACK) code and record nothing on the
 * gradient tape. The caller owns the returned data and must {@link release} it unless it is the
 * kernel's final output.
 */
export function callWasmKernel(
  kernelName: string,
  backend: KernelBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new ApbError(`The wasm backend has no '${kernelName}' kernel, which the training kernels need.`, {
      code: 'WASM_KERNEL_MISSING',
      suggestion: 'Install @tensorflow/tfjs-backend-wasm 4.22.0, the version these kernels are written for.',
    });
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new ApbError(`The wasm '${kernelName}' kernel returned several outputs where one was expected.`, {
      code: 'WASM_KERNEL_UNEXPECTED',
      suggestion: 'Install @tensorflow/tfjs-backend-wasm 4.22.0, the version these kernels are written for.',
    });
  }
  return out;
}

/** Frees intermediates made by {@link callWasmKernel} (reshapes share data, so this drops one reference each). */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** `[a, b]` from a number-or-pair attribute such as `strides` or `dilations`. */
export function pair(value: number | [number, number] | undefined, fallback = 1): [number, number] {
  if (value === undefined) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : value;
}
