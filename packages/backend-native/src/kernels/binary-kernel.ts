import { Add, broadcast_util, Multiply, RealDiv, Sub, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { BINARY_CODES, type NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/**
 * True when `small` broadcast to `out` only repeats along leading dimensions, so that element i
 * of the output reads element i % size(small): the bias-add pattern. Anything else (inner
 * broadcasts) goes to the cpu kernel.
 */
export function repeatsAlongLeadingDims(small: readonly number[], out: readonly number[]): boolean {
  let start = 0;
  while (start < small.length && small[start] === 1) start++;
  const core = small.slice(start);
  if (core.length > out.length) return false;
  const tail = out.slice(out.length - core.length);
  return core.every((size, i) => size === tail[i]);
}

function binaryKernel(addon: NativeAddon, kernelName: string, code: number): NativeKernelConfig {
  const fallback = cpuKernelFunc(kernelName);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { a, b } = inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const aValues = floatValues(backend, a);
    const bValues = floatValues(backend, b);
    if (!aValues || !bValues) return fallback(args);
    const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = util.sizeFromShape(outShape);
    const aFits = aValues.length === size || repeatsAlongLeadingDims(a.shape, outShape);
    const bFits = bValues.length === size || repeatsAlongLeadingDims(b.shape, outShape);
    if (!aFits || !bFits || (aValues.length !== size && bValues.length !== size)) return fallback(args);
    const out = outputArray(size);
    addon.binary(code, aValues, bValues, out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Add, Sub, Multiply and RealDiv on float32 tensors of equal shape or with a bias-like broadcast. */
export function binaryKernels(addon: NativeAddon): NativeKernelConfig[] {
  return [
    binaryKernel(addon, Add, BINARY_CODES.add),
    binaryKernel(addon, Sub, BINARY_CODES.sub),
    binaryKernel(addon, Multiply, BINARY_CODES.mul),
    binaryKernel(addon, RealDiv, BINARY_CODES.div),
  ];
}
