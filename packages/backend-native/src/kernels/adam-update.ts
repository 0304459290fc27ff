import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { floatValues, outputArray, type CpuKernelArgs, type NativeKernelConfig } from './kernel-support.js';

/** Name of the fused Adam kernel; only 'native' registers it, so other backends keep the stock optimizer. */
export const ADAM_UPDATE = 'ApbAdamUpdate';

/**
 * Attributes of {@link ADAM_UPDATE}: the optimizer's hyper-parameters and its running powers
 * beta1^t and beta2^t (before this step's update, as the stock optimizer reads them).
 */
export interface AdamUpdateAttrs {
  count: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: number;
  accBeta2: number;
}

/**
 * Input names of variable `i`: its value, first and second moments and gradient. Outputs come in
 * the same order, three per variable: new value, new first moment, new second moment.
 */
export function adamUpdateInputNames(i: number): { value: string; m: string; v: string; gradient: string } {
  return { value: `value${i}`, m: `m${i}`, v: `v${i}`, gradient: `gradient${i}` };
}

const f = Math.fround;

/**
 * One Adam step for every variable of a model in one kernel call, instead of the stock
 * optimizer's ~28 kernel calls (each with a fresh output) per variable.
 *
 * Each float32 operation of `tf.train.adam`'s update is done in the same order and rounded to
 * float32 after each one (`Math.fround`). A double-precision result of +, -, x, / or sqrt of two
 * float32 numbers rounds to the same float32 as the float32 operation itself, so the numbers are
 * bitwise those of the stock optimizer on the cpu and native backends.
 */
export function adamUpdateKernel(): NativeKernelConfig {
  const kernelFunc = (args: CpuKernelArgs): TensorInfo[] => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as AdamUpdateAttrs;
    const named = inputs as unknown as Record<string, TensorInfo>;
    const beta1 = f(attrs.beta1);
    const beta2 = f(attrs.beta2);
    const oneMinusBeta1 = f(1 - attrs.beta1);
    const oneMinusBeta2 = f(1 - attrs.beta2);
    const oneMinusAccBeta1 = f(1 - f(attrs.accBeta1));
    const oneMinusAccBeta2 = f(1 - f(attrs.accBeta2));
    const epsilon = f(attrs.epsilon);
    const negativeRate = f(-attrs.learningRate);
    const outputs: TensorInfo[] = [];
    for (let i = 0; i < attrs.count; i++) {
      const names = adamUpdateInputNames(i);
      const tensors = [named[names.value], named[names.m], named[names.v], named[names.gradient]];
      const [value, m, v, g] = tensors.map((t) => (t === undefined ? undefined : floatValues(backend, t)));
      if (!value || !m || !v || !g || m.length !== value.length || v.length !== value.length || g.length !== value.length) {
        throw new Error(`${ADAM_UPDATE}: variable ${i} needs float32 value, moments and gradient of one size.`);
      }
      const size = value.length;
      const newValue = outputArray(size);
      const newM = outputArray(size);
      const newV = outputArray(size);
      for (let k = 0; k < size; k++) {
        const gk = g[k]!;
        const mk = f(f(m[k]! * beta1) + f(gk * oneMinusBeta1));
        const vk = f(f(v[k]! * beta2) + f(f(gk * gk) * oneMinusBeta2));
        newM[k] = mk;
        newV[k] = vk;
        const correctedM = f(mk / oneMinusAccBeta1);
        const correctedV = f(vk / oneMinusAccBeta2);
        const step = f(f(correctedM / f(f(Math.sqrt(correctedV)) + epsilon)) * negativeRate);
        newValue[k] = f(step + value[k]!);
      }
      const shape = tensors[0]!.shape;
      outputs.push(
        backend.makeTensorInfo(shape, 'float32', newValue),
        backend.makeTensorInfo(shape, 'float32', newM),
        backend.makeTensorInfo(shape, 'float32', newV),
      );
    }
    return outputs;
  };
  return { kernelName: ADAM_UPDATE, kernelFunc: kernelFunc as unknown as KernelFunc };
}
