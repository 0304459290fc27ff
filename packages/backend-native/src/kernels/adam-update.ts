import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeAddon } from '../addon.js';
import { isUnescaped } from '../buffer-pool.js';
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
 * True when the kernel may overwrite `tensor`'s array: it is held by this one tensor (a variable,
 * here) and never left the backend, so no clone, reshape, saved gradient input or `dataSync`
 * result can see the change.
 */
function writableInPlace(backend: CpuKernelArgs['backend'], tensor: TensorInfo): boolean {
  const entry = backend.data.get(tensor.dataId);
  return entry !== undefined && entry.refCount === 1 && isUnescaped(entry.values);
}

/**
 * One Adam step for every variable of a model in one kernel call, instead of the stock
 * optimizer's ~28 kernel calls (each with a fresh output) per variable.
 *
 * The addon does each float32 operation of `tf.train.adam`'s update in the same order, rounded to
 * float32 after each one (no fused multiply-add), so the numbers are bitwise those of the stock
 * optimizer on the cpu and native backends; the constants below are rounded to float32 as the
 * stock optimizer's scalars are.
 *
 * A variable whose value and moments are writable in place (see `writableInPlace`) is updated in
 * place, and its outputs are its inputs: the kernel is meant for `FusedAdamOptimizer` (fused-adam.ts), which
 * assigns the outputs back to the variables and slots it passed.
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
      const shape = tensors[0]!.shape;
      const state = [tensors[0]!, tensors[1]!, tensors[2]!];
      if (state.every((tensor) => writableInPlace(backend, tensor))) {
        // Writing over the arrays read saves the memory traffic of three fresh outputs (for
        // multimodal APB's 2.1 M parameters, about a fifth of the step). Each output is the input's
        // own data with one more reference, which the caller's assign and dispose then balance.
        addon.adamUpdate(value, m, v, g, value, m, v, params);
        for (const tensor of state) {
          backend.incRef(tensor.dataId);
          outputs.push({ dataId: tensor.dataId, shape, dtype: 'float32' });
        }
        continue;
      }
      const size = value.length;
      const newValue = outputArray(size);
      const newM = outputArray(size);
      const newV = outputArray(size);
      addon.adamUpdate(value, m, v, g, newValue, newM, newV, params);
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
