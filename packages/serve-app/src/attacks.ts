import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the union package @tensorflow/tfjs would, but we ship only core.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

/** A classifier as a function from a batch of images to logits `[n, classes]`, called in inference mode. */
export type LogitsFn = (images: tf.Tensor) => tf.Tensor2D;

/** The loss FGSM ascends: softmax cross-entropy, or the margin `max_{j != y} z_j - z_y` (Carlini-Wagner style). */
export type FgsmLoss = 'cross-entropy' | 'margin';

/** Options of {@link pgd}. */
export interface PgdOptions {
  /** Number of signed-gradient steps. Default 10. */
  steps?: number;
  /** Size of one step; default `2.5 * eps / steps` (Madry et al.). */
  stepSize?: number;
}

function checkEps(eps: number): void {
  if (!Number.isFinite(eps) || eps < 0 || eps > 1) throw new Error(`eps must be a number in [0, 1], got ${String(eps)}`);
}

/** Per-example loss summed over the batch, so each example's gradient is its own loss's gradient. */
function attackLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, loss: FgsmLoss): tf.Scalar {
  const classes = logits.shape[1];
  const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');
  if (loss === 'cross-entropy') return tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.SUM);
  const trueLogit = tf.sum(tf.mul(logits, oneHot), 1);
  // Push the true class far below any other before taking the max, so the max is over j != y.
  const others = tf.max(tf.sub(logits, tf.mul(oneHot, 1e9)), 1);
  return tf.sum(tf.sub(others, trueLogit));
}

/** One signed-gradient step from `x`, projected to the l-inf ball of radius `eps` around `origin` and to [0, 1]. */
function signStep(model: LogitsFn, x: tf.Tensor, origin: tf.Tensor, labels: tf.Tensor1D, loss: FgsmLoss, step: number, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const gradient = tf.grad((input: tf.Tensor) => attackLoss(model(input), labels, loss))(x);
    const moved = tf.add(x, tf.mul(tf.sign(gradient), step));
    return tf.clipByValue(tf.minimum(tf.maximum(moved, tf.sub(origin, eps)), tf.add(origin, eps)), 0, 1);
  });
}

/**
 * Fast gradient sign method: `clip(x + eps * sign(grad_x loss), 0, 1)` for images in [0, 1].
 * `labels` are the true classes; the result has the shape of `images`.
 */
export function fgsm(model: LogitsFn, images: tf.Tensor, labels: number[], eps: number, loss: FgsmLoss = 'cross-entropy'): tf.Tensor {
  checkEps(eps);
  return tf.tidy(() => signStep(model, images, images, tf.tensor1d(labels, 'int32'), loss, eps, eps));
}

/**
 * Projected gradient descent (l-inf, cross-entropy, no random start so the page is repeatable):
 * `steps` signed steps of `stepSize`, each projected back into the eps-ball around `images` and [0, 1].
 */
export function pgd(model: LogitsFn, images: tf.Tensor, labels: number[], eps: number, options: PgdOptions = {}): tf.Tensor {
  checkEps(eps);
  const steps = options.steps ?? 10;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, got ${String(steps)}`);
  const stepSize = options.stepSize ?? (2.5 * eps) / steps;
  return tf.tidy(() => {
    const target = tf.tensor1d(labels, 'int32');
    let x: tf.Tensor = images.clone();
    for (let i = 0; i < steps; i += 1) {
      const next = signStep(model, x, images, target, 'cross-entropy', stepSize, eps);
      x.dispose();
      x = next;
    }
    return x;
  });
}
