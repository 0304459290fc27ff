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

/**
 * One training step of a custom loop, done the way the APB expects: a forward call with
 * `training: true` inside `optimizer.minimize`, so the backward pass moves every APB once.
 *
 * @param labels one-hot `[batch, classes]` or integer class indices `[batch]`.
 * @returns the mean softmax cross-entropy of the batch before the update.
 */
export function trainStep(model: tfl.LayersModel, optimizer: tf.Optimizer, images: tf.Tensor, labels: tf.Tensor): number {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const loss = optimizer.minimize(
    () => {
      const logits = model.apply(images, { training: true });
      if (Array.isArray(logits) || !(logits instanceof tf.Tensor)) {
        throw new ApbError('trainStep: the model must have exactly one output (the logits)', {
          code: 'INVALID_MODEL',
          suggestion: 'Pass a single-output model such as lenet().',
        });
      }
      const oneHot = labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1] ?? 0) : labels;
      return softmaxCrossEntropyLoss(oneHot, logits);
    },
    true,
    variables,
  );
  if (loss === null) {
    throw new ApbError('trainStep: the optimizer returned no loss', { code: 'INTERNAL', suggestion: 'Report this as a bug.' });
  }
  const value = loss.dataSync()[0] ?? Number.NaN;
  loss.dispose();
  return value;
}
