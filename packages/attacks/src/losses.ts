import * as tf from '@tensorflow/tfjs-core';

/** Loss an attack maximises: cross-entropy of the logits, or the Carlini-Wagner margin. */
export type AttackLoss = 'ce' | 'margin';

/** Per-example cross-entropy of `logits` against integer `labels`. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)) as tf.Tensor1D;
  });
}

/**
 * Per-example margin `max_{j != y} z_j - z_y` (Carlini & Wagner 2017): positive exactly when the
 * example is misclassified. It works on logits, so a saturated softmax cannot flatten it.
 */
export function margin(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]), 'bool');
    const trueLogit = tf.sum(tf.where(oneHot, logits, tf.zerosLike(logits)), -1);
    const others = tf.where(oneHot, tf.fill(logits.shape, -3.4e38), logits);
    return tf.sub<tf.Tensor1D>(tf.max(others, -1), trueLogit);
  });
}

/**
 * The loss named by `loss`, per example, oriented so that an attack ascends it: towards a wrong
 * class, or (`targeted`) towards the class in `labels`.
 */
export function attackLoss(loss: AttackLoss, logits: tf.Tensor2D, labels: tf.Tensor1D, targeted = false): tf.Tensor1D {
  const value = loss === 'ce' ? crossEntropy(logits, labels) : margin(logits, labels);
  return targeted ? tf.tidy(() => tf.neg(value)) : value;
}

/**
 * Per-example score an attack drives up, positive exactly on success: the margin for untargeted
 * attacks, its negative (target logit minus the best other) when `labels` are targets.
 */
export function successScore(logits: tf.Tensor2D, labels: tf.Tensor1D, targeted: boolean): tf.Tensor1D {
  return targeted ? tf.tidy(() => tf.neg(margin(logits, labels))) : margin(logits, labels);
}
