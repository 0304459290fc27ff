import * as tf from '@tensorflow/tfjs-core';

import { ADAM_UPDATE, adamUpdateInputNames, type AdamUpdateAttrs } from './kernels/adam-update.js';

/** What the stock optimizer keeps private; the fused step fills the same slots so that `getWeights`, `setWeights` and `dispose` work unchanged. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

/**
 * `tf.train.adam` whose step is one kernel call for all of a model's variables on the `native`
 * backend (`ApbAdamUpdate`, bitwise the stock numbers). On any other backend, or when a gradient is
 * missing or not float32, it is the stock `AdamOptimizer` step. Its state (`getWeights`) is the
 * stock optimizer's, so checkpoints move freely between the two.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const gradients = names.map((name, i) => (Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name]));
    const values = names.map((name) => tf.engine().registeredVariables[name]);
    const fusable = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined
      && gradients.every((g) => g?.dtype === 'float32') && values.every((v) => v?.dtype === 'float32');
    if (!fusable) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const inputs: tf.NamedTensorMap = {};
    values.forEach((value, i) => {
      // Created exactly as the stock optimizer creates them, under the same names.
      state.accumulatedFirstMoment[i] ??= { originalName: `${names[i]}/m`, variable: tf.tidy(() => tf.zerosLike(value!).variable(false)) };
      state.accumulatedSecondMoment[i] ??= { originalName: `${names[i]}/v`, variable: tf.tidy(() => tf.zerosLike(value!).variable(false)) };
      const slot = adamUpdateInputNames(i);
      inputs[slot.value] = value!;
      inputs[slot.m] = state.accumulatedFirstMoment[i].variable;
      inputs[slot.v] = state.accumulatedSecondMoment[i].variable;
      inputs[slot.gradient] = gradients[i]!;
    });
    const attrs: AdamUpdateAttrs = {
      count: values.length,
      learningRate: state.learningRate,
      beta1: state.beta1,
      beta2: state.beta2,
      epsilon: state.epsilon,
      accBeta1: state.accBeta1.dataSync()[0]!,
      accBeta2: state.accBeta2.dataSync()[0]!,
    };
    const outputs = tf.engine().runKernel<tf.Tensor[]>(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap);
    values.forEach((value, i) => {
      value!.assign(outputs[3 * i]!);
      state.accumulatedFirstMoment[i]!.variable.assign(outputs[3 * i + 1]!);
      state.accumulatedSecondMoment[i]!.variable.assign(outputs[3 * i + 2]!);
    });
    tf.dispose(outputs);
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
    });
    state.incrementIterations();
  }
}

/**
 * Drop-in for `tf.train.adam(learningRate, beta1, beta2, epsilon)` with the fused step of
 * {@link FusedAdamOptimizer} on `native`; the same defaults (epsilon: the backend's, 1e-7 on cpu
 * and native).
 */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
