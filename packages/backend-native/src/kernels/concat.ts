import { backend_util, Concat, util, type ConcatAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { cpuKernelFunc, floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/**
 * Concat of float32 tensors as block copies (`TypedArray.set`): for each index of the dimensions
 * before the axis, each input's contiguous block in turn. FGSM training concatenates the clean and
 * adversarial batches every step; the cpu kernel's element loop took ~0.6 ms for two 128-image
 * batches. Other dtypes, empty tensors and a single input go to the cpu kernel.
 */
export function concatKernel(): NativeKernelConfig {
  const fallback = cpuKernelFunc(Concat);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { backend } = args;
    const inputs = args.inputs as unknown as TensorInfo[];
    const { axis } = args.attrs as unknown as ConcatAttrs;
    const values = inputs.map((t) => floatValues(backend, t));
    if (inputs.length < 2 || values.some((v) => v === undefined || v.length === 0)) return fallback(args);
    const $axis = util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
    backend_util.assertParamsConsistent(inputs.map((t) => t.shape), $axis);
    const outShape = backend_util.computeOutShape(inputs.map((t) => t.shape), $axis);
    const outer = util.sizeFromShape(inputs[0]!.shape.slice(0, $axis));
    const inners = inputs.map((t) => util.sizeFromShape(t.shape.slice($axis)));
    const out = outputArray(util.sizeFromShape(outShape));
    let at = 0;
    for (let o = 0; o < outer; o++) {
      values.forEach((v, i) => {
        const inner = inners[i]!;
        out.set(v!.subarray(o * inner, (o + 1) * inner), at);
        at += inner;
      });
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: Concat, kernelFunc: kernelFunc as unknown as KernelFunc };
}
