import { GatherV2, util, type GatherV2Attrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { cpuKernelFunc, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Slices shorter than this are copied element by element: a `subarray` view per slice costs more. */
const SET_MIN_SLICE = 16;

/** The values the cpu backend stores for a float32 or int32 tensor, or undefined for anything else. */
function rowValues(backend: CpuKernelArgs['backend'], tensor: TensorInfo): Float32Array | Int32Array | undefined {
  const values = backend.data.get(tensor.dataId)?.values;
  if (tensor.dtype === 'float32' && values instanceof Float32Array) return values;
  if (tensor.dtype === 'int32' && values instanceof Int32Array) return values;
  return undefined;
}

/**
 * GatherV2 without batch dimensions on float32 and int32 tensors: each gathered slice (a whole row
 * when gathering along axis 0, as `model.fit` does to cut every batch out of its inputs) is one
 * contiguous block of `x`, copied with `TypedArray.set`. The cpu kernel computes a
 * multi-dimensional location for every element instead, about 15 ms of a 21 ms LeNet `fit` step.
 * Other cases, and out-of-range indices (so that the error is the cpu backend's), go to the cpu
 * kernel.
 */
export function gatherV2Kernel(): NativeKernelConfig {
  const fallback = cpuKernelFunc(GatherV2);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x, indices } = inputs as unknown as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    const xValues = rowValues(backend, x);
    const indexValues = indices.dtype === 'int32' ? backend.data.get(indices.dataId)?.values : undefined;
    if ((batchDims ?? 0) !== 0 || xValues === undefined || !(indexValues instanceof Int32Array)) return fallback(args);

    const parsedAxis = util.parseAxisParam(axis, x.shape)[0]!;
    const dimSize = x.shape[parsedAxis]!;
    const outerSize = util.sizeFromShape(x.shape.slice(0, parsedAxis));
    const sliceSize = util.sizeFromShape(x.shape.slice(parsedAxis + 1));
    const count = indexValues.length;
    const outShape = [...x.shape.slice(0, parsedAxis), ...indices.shape, ...x.shape.slice(parsedAxis + 1)];
    const outSize = outerSize * count * sliceSize;
    if (outSize === 0) return fallback(args);
    for (let i = 0; i < count; i++) {
      const index = indexValues[i]!;
      if (index < 0 || index >= dimSize) return fallback(args);
    }

    // Every element is written below, so the output need not be zero-filled first.
    const out = xValues instanceof Float32Array ? outputArray(outSize) : int32Output(outSize);
    let target = 0;
    for (let o = 0; o < outerSize; o++) {
      const block = o * dimSize * sliceSize;
      for (let i = 0; i < count; i++) {
        const source = block + indexValues[i]! * sliceSize;
        if (sliceSize >= SET_MIN_SLICE) {
          out.set(xValues.subarray(source, source + sliceSize), target);
        } else {
          for (let k = 0; k < sliceSize; k++) out[target + k] = xValues[source + k]!;
        }
        target += sliceSize;
      }
    }
    return backend.makeTensorInfo(outShape, x.dtype, out);
  };
  return { kernelName: GatherV2, kernelFunc: kernelFunc as unknown as KernelFunc };
}

function int32Output(length: number): Int32Array {
  const bytes = Buffer.allocUnsafeSlow(length * Int32Array.BYTES_PER_ELEMENT);
  return new Int32Array(bytes.buffer, bytes.byteOffset, length);
}
