import * as tf from '@tensorflow/tfjs-core';
import { logitsOf, type Classifier } from './classifier.js';
import { attackLoss, type AttackLoss } from './losses.js';

/**
 * Gradient of the summed per-example `loss` with respect to the input `x` only; the model's
 * variables get no gradient and are never touched. Examples do not interact in inference mode,
 * so each row is that example's own input gradient. With `targeted`, the loss is negated (see
 * `attackLoss`), so ascending it moves towards the classes in `labels`.
 */
export function inputGradient(
  model: Classifier,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  loss: AttackLoss,
  targeted = false,
): tf.Tensor4D {
  const lossOf = (input: tf.Tensor): tf.Tensor => tf.sum(attackLoss(loss, logitsOf(model, input as tf.Tensor4D), labels, targeted));
  return tf.tidy(() => tf.grad(lossOf)(x) as tf.Tensor4D);
}
