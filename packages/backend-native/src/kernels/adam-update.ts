import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
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
 * The addon does each float32 operation of `tf.train.adam`'s update in the same order, rounded to
 * float32 after each one (no fused multiply-add), so the numbers are bitwise those of the stock
 * optimizer on the cpu and native backends; the constants below are rounded to float32 as the
 * stock optimizer's scalars are.
 */
export function adamUpdateKernel(addon: NativeAddon): NativeKernelConfig {
  const kernelFunc = (args: CpuKernelArgs): TensorInfo[] => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as AdamUpdateAttrs;
    const named = inputs as unknown as Record<string, TensorInfo>;
    const params = new Float32Array([
      attrs.beta1,
      attrs.beta2,
      1 - attrs.beta1,
      1 - attrs.beta2,
      1 - f(attrs.accBeta1),
      1 - f(attrs.accBeta2),
      attrs.epsilon,
      -attrs.learningRate,
    ]);
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
      addon.adamUpdate(value, m, v, g, newValue, newM, newV, params);
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
