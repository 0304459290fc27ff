import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * A model under attack: a `LayersModel` or a function, either way mapping images `[n, h, w, c]` in
 * [0, 1] to LOGITS `[n, classes]` (not probabilities).
 */
export type Classifier = LayersModel | ((x: tf.Tensor4D) => tf.Tensor2D);

/**
 * Logits of `model` on `x`, always in inference mode.
 *
 * `apply` without `{ training: true }` is used rather than `predict` because it is differentiable
 * and does no batching of its own; in inference mode dropout is off, batch norm uses its moving
 * statistics and APB layers never move (see docs/architecture.md, "When the APB moves").
 */
export function logitsOf(model: Classifier, x: tf.Tensor4D): tf.Tensor2D {
  if (typeof model === 'function') return model(x);
  const out = model.apply(x);
  if (Array.isArray(out)) {
    throw new TypeError('attacks need a model with exactly one output (the logits)');
  }
  return out as tf.Tensor2D;
}
