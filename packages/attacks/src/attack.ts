import * as tf from '@tensorflow/tfjs-core';
import { ApbError } from '@apb/core';
import { logitsOf, type Classifier } from './classifier.js';
import { checkEpsilons, checkNumber } from './options.js';

/** What {@link Attack.run} returns for one epsilon. The caller disposes the tensors. */
export interface AttackOutput {
  /** The l-inf radius these adversarials were made for. */
  eps: number;
  /** Adversarials as the attack produced them, before the final projection (may leave the ball). */
  raw: tf.Tensor4D;
  /** `raw` projected to the eps-ball around the inputs and to [0, 1]: the adversarials to use. */
  clipped: tf.Tensor4D;
  /** `bool` per example: true where the model misclassifies `clipped`. */
  success: tf.Tensor1D;
}

/** Options of {@link Attack.run}. */
export interface AttackRunOptions {
  /** l-inf radii to attack with, each in [0, 1]; one {@link AttackOutput} per radius, same order. */
  epsilons: number[];
}

/**
 * Projects `x` to the l-inf ball of radius `eps` around `x0`, then to the input bounds [0, 1].
 * The only place adversarials are clipped; attacks that need it inside their loop call it via
 * {@link Attack.project}.
 */
export function projectLinf(x: tf.Tensor4D, x0: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.minimum(tf.maximum(x, tf.sub(x0, eps)), tf.add(x0, eps)), 0, 1) as tf.Tensor4D);
}

/** `bool` per example: true where `model` predicts `targets` on `x` (success of a targeted attack). */
export function hitsTarget(model: Classifier, x: tf.Tensor4D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.equal(tf.argMax(logitsOf(model, x), -1), tf.cast(targets, 'int32')));
}

/** `bool` per example: true where `model` does not predict `labels` on `x`. */
export function misclassified(model: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.notEqual(tf.argMax(logitsOf(model, x), -1), tf.cast(labels, 'int32')));
}

/**
 * Base of every l-inf attack, untargeted by default (Foolbox model): hyper-parameters go in the
 * constructor, model, inputs, labels and epsilons in the call. Inputs live in [0, 1]. The model is
 * always run in inference mode and its weights (APB included) are never changed.
 */
export abstract class Attack {
  /** Short alias, e.g. `fgsm`, `pgd`; used in reports. */
  abstract readonly name: string;
  /** Resolved hyper-parameters, JSON-serialisable, for reports and `run.json`. */
  abstract readonly params: Record<string, unknown>;
  /**
   * Targeted mode: `labels` passed to {@link run} and {@link craft} are then the classes to reach,
   * and success means the model predicts them. Default false (untargeted).
   */
  readonly targeted: boolean;

  protected constructor(targeted = false) {
    this.targeted = targeted;
  }

  /**
   * Attacks `images` (`[n, h, w, c]` in [0, 1]) with true `labels` (`int32`, `[n]`; the target
   * classes in targeted mode) once per epsilon. Returns, per epsilon, raw and clipped adversarials
   * and a success mask; the caller disposes them.
   */
  async run(
    model: Classifier,
    images: tf.Tensor4D,
    labels: tf.Tensor1D,
    options: AttackRunOptions,
  ): Promise<AttackOutput[]> {
    const epsilons = checkEpsilons(this.constructor.name, options?.epsilons);
    checkBatch(this.constructor.name, images, labels);
    const outputs: AttackOutput[] = [];
    for (const eps of epsilons) {
      const output = tf.tidy(() => {
        const raw = eps === 0 ? tf.clone(images) : this.perturb(model, images, labels, eps);
        const clipped = projectLinf(raw, images, eps);
        const success = this.targeted ? hitsTarget(model, clipped, labels) : misclassified(model, clipped, labels);
        return { raw, clipped, success };
      });
      outputs.push({ eps, ...output });
      // Long evaluations stay responsive (progress bars, signals, browser frames) between epsilons.
      await tf.nextFrame();
    }
    return outputs;
  }

  /**
   * Lean variant for training loops (online adversarial training): the clipped adversarials for
   * one `eps`, no success mask, everything else disposed.
   */
  craft(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    checkNumber(this.constructor.name, 'eps', eps, 0, 1);
    checkBatch(this.constructor.name, images, labels);
    if (eps === 0) return tf.clone(images);
    return tf.tidy(() => projectLinf(this.perturb(model, images, labels, eps), images, eps));
  }

  /**
   * The attack proper: adversarials for one `eps > 0`, before the final projection. Runs inside
   * `tf.tidy`; must be synchronous so {@link craft} can be.
   */
  protected abstract perturb(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D;

  /** Projection to the eps-ball and [0, 1], for attacks that must stay feasible between steps. */
  protected project(x: tf.Tensor4D, x0: tf.Tensor4D, eps: number): tf.Tensor4D {
    return projectLinf(x, x0, eps);
  }
}

function checkBatch(owner: string, images: tf.Tensor4D, labels: tf.Tensor1D): void {
  if (images.rank !== 4 || labels.rank !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new ApbError(
      `${owner}: images must be [n, h, w, c] and labels [n], got images [${images.shape.join(', ')}] and labels [${labels.shape.join(', ')}]`,
      { code: 'INVALID_INPUT', suggestion: 'Pass one integer label per image.' },
    );
  }
}
