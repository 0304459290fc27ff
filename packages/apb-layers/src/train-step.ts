import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ApbError } from '@apb/core';

/**
 * Mean softmax cross-entropy of `logits` against one-hot `labels`; pass it as the `loss` of
 * `model.compile`, because `lenet` outputs logits and tfjs' `categoricalCrossentropy` expects
 * probabilities.
 */
export function softmaxCrossEntropyLoss(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits);
}

/** What {@link trainStepWithHits} measured on the batch, before the update. */
export interface TrainStepResult {
  /** Mean softmax cross-entropy of the batch. */
  loss: number;
  /** Examples whose largest logit is their label. */
  hits: number;
}

/**
 * One training step of a custom loop, done the way the APB expects: a forward call with
 * `training: true` inside `optimizer.minimize`, so the backward pass moves every APB once.
 *
 * @param labels one-hot `[batch, classes]` or integer class indices `[batch]`.
 * @returns the mean softmax cross-entropy of the batch before the update.
 */
export function trainStep(model: tfl.LayersModel, optimizer: tf.Optimizer, images: tf.Tensor, labels: tf.Tensor): number {
  return trainStepWithHits(model, optimizer, images, labels).loss;
}

/**
 * {@link trainStep} that also counts the correct predictions of that same forward call, so a loop
 * reporting training accuracy needs no second forward pass (which would move nothing, but cost one).
 * A mixed batch (clean and adversarial examples) is one `images` tensor with its `labels` repeated.
 */
export function trainStepWithHits(model: tfl.LayersModel, optimizer: tf.Optimizer, images: tf.Tensor, labels: tf.Tensor): TrainStepResult {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  let hits: tf.Scalar | undefined;
  const loss = optimizer.minimize(
    () => {
      const logits = model.apply(images, { training: true });
      if (Array.isArray(logits) || !(logits instanceof tf.Tensor)) {
        throw new ApbError('trainStep: the model must have exactly one output (the logits)', {
          code: 'INVALID_MODEL',
          suggestion: 'Pass a single-output model such as lenet().',
        });
      }
      const indices = labels.rank === 1 ? tf.cast(labels, 'int32') : tf.argMax(labels, -1);
      // Kept past minimize's tidy: read below, then disposed.
      hits = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, -1), indices), 'float32')));
      // float32 one-hot labels: the loss multiplies them with float32 log-probabilities.
      const oneHot = labels.rank === 1 ? tf.cast(tf.oneHot(indices, logits.shape[1] ?? 0), 'float32') : labels;
      return softmaxCrossEntropyLoss(oneHot, logits);
    },
    true,
    variables,
  );
  if (loss === null || hits === undefined) {
    hits?.dispose();
    throw new ApbError('trainStep: the optimizer returned no loss', { code: 'INTERNAL', suggestion: 'Report this as a bug.' });
  }
  const value = loss.dataSync()[0] ?? Number.NaN;
  const hitCount = hits.dataSync()[0] ?? 0;
  loss.dispose();
  hits.dispose();
  return { loss: value, hits: hitCount };
}
