// Evaluations during training (`evaluation.checkpoints`): the series that shows how robustness and
// its diagnostics change with training length, kept in run.json as `evaluation.history`.
import { DenseApb } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluateModel } from './evaluate-model.js';
import { imagesToTensor, subsetOf, type SplitData } from './internal/training-data.js';
import type { CheckpointEvaluation, EvaluationRecord } from './run-record.js';
import type { EvaluationPlan } from './train-config.js';

/** The epochs of a run of `epochs` epochs evaluated during training (the last epoch is the final evaluation). */
export function checkpointEpochs(plan: EvaluationPlan, epochs: number): number[] {
  return [...new Set(plan.checkpoints)].filter((epoch) => epoch < epochs).sort((a, b) => a - b);
}

/** Options of {@link evaluateCheckpoint}. */
export interface CheckpointEvaluationOptions {
  seed: number;
  transferSource?: tfl.LayersModel | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The model after `epoch` epochs under the plan's attacks (without the diagnostics, which the final
 * evaluation runs), with the softmax saturation and the APB sizes. Undefined when `signal` aborts.
 */
export async function evaluateCheckpoint(
  model: tfl.LayersModel,
  test: SplitData,
  plan: EvaluationPlan,
  epoch: number,
  options: CheckpointEvaluationOptions,
): Promise<CheckpointEvaluation | undefined> {
  const started = performance.now();
  const evaluated = await evaluateModel(model, test, { ...plan, diagnostics: false }, {
    seed: options.seed,
    ...(options.transferSource ? { transferSource: options.transferSource } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!evaluated) return undefined;
  return checkpointEntry(model, test, plan, epoch, evaluated.evaluation, options.seed, started);
}

/** The history entry of an evaluation already made (the final one, at the last epoch). */
export function checkpointEntry(
  model: tfl.LayersModel,
  test: SplitData,
  plan: EvaluationPlan,
  epoch: number,
  evaluation: EvaluationRecord,
  seed: number,
  started = performance.now(),
): CheckpointEvaluation {
  const saturation = softmaxSaturation(model, subsetOf(test, plan.limit, seed));
  return {
    epoch,
    clean: evaluation.clean,
    attacks: evaluation.attacks.map(({ attack, eps, accuracy, n, seconds }) => ({ attack, eps, accuracy, n, seconds })),
    softmaxSaturation: saturation,
    apbDelta: apbDeltaSizes(model),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Share of `data`'s images whose float32 softmax maximum is exactly 1.0: there the cross-entropy
 * input gradient is zero, so cross-entropy attacks see nothing to follow (gradient masking).
 */
export function softmaxSaturation(model: tfl.LayersModel, data: SplitData, batchSize = 500): { share: number; n: number } {
  let saturated = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const count = Math.min(batchSize, data.count - start);
    const size = data.rows * data.cols * (data.channels ?? 1);
    const maxima = tf.tidy(() => {
      const images = imagesToTensor(data.images.subarray(start * size, (start + count) * size), count, data.rows, data.cols, data.channels);
      return tf.max(tf.softmax(model.predict(images) as tf.Tensor2D), -1).dataSync();
    });
    for (const p of maxima) if (p === 1) saturated += 1;
  }
  return { share: data.count === 0 ? 0 : saturated / data.count, n: data.count };
}

/** max |delta| of each APB layer, by layer name (empty for a model without APB). */
export function apbDeltaSizes(model: tfl.LayersModel): { layer: string; maxAbs: number }[] {
  return model.layers
    .filter((layer): layer is DenseApb => layer instanceof DenseApb)
    .map((layer) => {
      const delta = layer.currentDelta();
      const maxAbs = tf.tidy(() => tf.max(tf.abs(delta)).dataSync()[0] ?? 0);
      delta.dispose();
      return { layer: layer.name, maxAbs };
    });
}
