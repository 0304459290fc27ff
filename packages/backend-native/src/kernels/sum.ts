import { backend_util, Sum, util, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/**
 * Sum of float32 tensors over leading axes (bias gradients) or trailing axes (row sums); the cpu
 * kernel transposes before every reduction, which made bias gradients the slowest kernel of a
 * LeNet step. Other axis sets go to the cpu kernel.
 */
export function sumKernel(addon: NativeAddon): NativeKernelConfig {
  const fallback = cpuKernelFunc(Sum);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const rank = x.shape.length;
    const axes = [...util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
    if (axes.length === 0 || new Set(axes).size !== axes.length) return fallback(args);
    const leading = axes.every((value, i) => value === i);
    const trailing = axes.every((value, i) => value === rank - axes.length + i);
    if (!leading && !trailing) return fallback(args);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduced = util.sizeFromShape(reduceShape);
    const kept = util.sizeFromShape(outShape);
    const out = outputArray(kept);
    if (leading) {
      addon.sum(xValues, out, reduced, kept, true);
    } else {
      addon.sum(xValues, out, kept, reduced, false);
    }
    const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
  return { kernelName: Sum, kernelFunc: kernelFunc as unknown as KernelFunc };
}
