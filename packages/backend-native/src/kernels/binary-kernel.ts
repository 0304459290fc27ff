import { Add, broadcast_util, Maximum, Minimum, Multiply, RealDiv, Sub, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

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

/**
 * How many consecutive output elements read each element of `small` when `small` broadcast to
 * `out` only repeats along trailing dimensions (`[128, 1]` against `[128, 10]`: 10, the pattern of
 * softmax cross-entropy's per-row terms), else 0.
 */
export function trailingRepeat(small: readonly number[], out: readonly number[]): number {
  if (small.length > out.length) return 0;
  const padded = [...new Array<number>(out.length - small.length).fill(1), ...small];
  let kept = padded.length;
  while (kept > 0 && padded[kept - 1] === 1) kept--;
  for (let i = 0; i < kept; i++) if (padded[i] !== out[i]) return 0;
  return util.sizeFromShape(out.slice(kept));
}

/**
 * `out[i] = a[i] op small[i / repeat]` (or `small op a` when `smallFirst`), in JavaScript: each
 * operation is done in double precision on two float32 values and rounded once to float32, which
 * is the correctly rounded float32 result, as the cpu kernel and the addon give.
 */
function rowBroadcast(code: number, full: Float32Array, small: Float32Array, repeat: number, smallFirst: boolean, out: Float32Array): void {
  const f = ROW_OPS[code]!;
  // One loop per operation and operand order: a call through a closure per element cost ~70 ns.
  if (code === BINARY_CODES.mul || code === BINARY_CODES.add) {
    const multiply = code === BINARY_CODES.mul;
    for (let j = 0, i = 0; j < small.length; j++) {
      const s = small[j]!;
      if (multiply) for (const end = i + repeat; i < end; i++) out[i] = full[i]! * s;
      else for (const end = i + repeat; i < end; i++) out[i] = full[i]! + s;
    }
  } else if (code === BINARY_CODES.sub && !smallFirst) {
    for (let j = 0, i = 0; j < small.length; j++) {
      const s = small[j]!;
      for (const end = i + repeat; i < end; i++) out[i] = full[i]! - s;
    }
  } else {
    for (let j = 0, i = 0; j < small.length; j++) {
      const s = small[j]!;
      for (const end = i + repeat; i < end; i++) out[i] = smallFirst ? f(s, full[i]!) : f(full[i]!, s);
    }
  }
}

const ROW_OPS: Record<number, (x: number, y: number) => number> = {
  [BINARY_CODES.add]: (x, y) => x + y,
  [BINARY_CODES.sub]: (x, y) => x - y,
  [BINARY_CODES.mul]: (x, y) => x * y,
  [BINARY_CODES.div]: (x, y) => x / y,
  [BINARY_CODES.min]: Math.min,
  [BINARY_CODES.max]: Math.max,
};

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
    if (!aFits || !bFits || (aValues.length !== size && bValues.length !== size)) {
      // Not a bias-like broadcast; a row-wise one is done here, anything else by the cpu kernel.
      const aRepeat = bValues.length === size ? trailingRepeat(a.shape, outShape) : 0;
      const bRepeat = aValues.length === size ? trailingRepeat(b.shape, outShape) : 0;
      if (aRepeat <= 1 && bRepeat <= 1) return fallback(args);
      const out = outputArray(size);
      if (bRepeat > 1) rowBroadcast(code, aValues, bValues, bRepeat, false, out);
      else rowBroadcast(code, bValues, aValues, aRepeat, true, out);
      return backend.makeTensorInfo(outShape, 'float32', out);
    }
    const out = outputArray(size);
    addon.binary(code, aValues, bValues, out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Add, Sub, Multiply, RealDiv, Minimum and Maximum on float32 tensors of equal shape, or with a bias-like or row-wise broadcast. */
export function binaryKernels(addon: NativeAddon): NativeKernelConfig[] {
  return [
    binaryKernel(addon, Add, BINARY_CODES.add),
    binaryKernel(addon, Sub, BINARY_CODES.sub),
    binaryKernel(addon, Multiply, BINARY_CODES.mul),
    binaryKernel(addon, RealDiv, BINARY_CODES.div),
    binaryKernel(addon, Minimum, BINARY_CODES.min),
    binaryKernel(addon, Maximum, BINARY_CODES.max),
  ];
}
