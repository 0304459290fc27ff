import * as tf from '@tensorflow/tfjs-core';

type AdamFactory = (learningRate: number) => tf.AdamOptimizer;

let fusedAdam: AdamFactory | undefined;

/** Called when the native backend activates: its package's Adam with one fused kernel per step. */
export function provideFusedAdam(factory: AdamFactory | undefined): void {
  fusedAdam = factory;
}

/**
 * Adam for training loops: `tf.train.adam(learningRate)`, except that once the `native` backend is
 * active it is `@apb/backend-native`'s fused Adam, whose step is one kernel for all variables and
 * gives bitwise the stock numbers (its state is the stock optimizer's, so checkpoints and results do
 * not depend on which one ran). On any other active backend the fused optimizer runs the stock step.
 */
export function adam(learningRate: number): tf.AdamOptimizer {
  return fusedAdam?.(learningRate) ?? tf.train.adam(learningRate);
}
