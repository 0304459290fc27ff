import * as tf from '@tensorflow/tfjs-core';
import { Attack } from './attack.js';
import { logitsOf, type Classifier } from './classifier.js';
import { inputGradient } from './gradient.js';
import { successScore, type AttackLoss } from './losses.js';
import { checkBoolean, checkChoice, checkInteger, checkPositive } from './options.js';
import { createRng, type Rng } from '@apb/core';

/** Options of {@link LinfPgd}. */
export interface LinfPgdOptions {
  /** Gradient steps per restart, >= 1. Default 40. */
  steps?: number;
  /** Absolute step size, > 0. Default `2.5 * eps / steps` (Madry et al. 2018), so it scales with eps. */
  stepSize?: number;
  /** Start from a uniform random point in the eps-ball (true, default) or from the input. */
  randomStart?: boolean;
  /**
   * Independent runs, >= 1; per example the worst case is kept: the largest logit margin
   * (`max_{j != y} z_j - z_y`; in targeted mode the target's lead). Default 1.
   */
  restarts?: number;
  /** Loss to ascend: `ce` (cross-entropy, default) or `margin` (Carlini-Wagner, on logits). */
  loss?: AttackLoss;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** Targeted mode: labels are the classes to reach. Default false. */
  targeted?: boolean;
}

/**
 * Projected Gradient Descent (Madry et al. 2018), `pgd`: `steps` signed-gradient steps, each
 * projected back to the eps-ball and [0, 1]. Random starts come from one seeded stream per attack
 * object, so calling the same object again continues the stream (a fresh object with the same
 * seed repeats a run exactly).
 */
export class LinfPgd extends Attack {
  /** `pgd`, or `pgd-margin` with the margin loss, so results of the two stay apart. */
  readonly name: 'pgd' | 'pgd-margin';
  readonly params: Record<string, unknown>;
  readonly steps: number;
  readonly stepSize: number | undefined;
  readonly randomStart: boolean;
  readonly restarts: number;
  readonly loss: AttackLoss;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(options: LinfPgdOptions = {}) {
    super(checkBoolean('LinfPgd', 'targeted', options.targeted ?? false));
    this.steps = checkInteger('LinfPgd', 'steps', options.steps ?? 40, 1);
    this.stepSize = options.stepSize === undefined ? undefined : checkPositive('LinfPgd', 'stepSize', options.stepSize);
    this.randomStart = checkBoolean('LinfPgd', 'randomStart', options.randomStart ?? true);
    this.restarts = checkInteger('LinfPgd', 'restarts', options.restarts ?? 1, 1);
    this.loss = checkChoice('LinfPgd', 'loss', options.loss ?? 'ce', ['ce', 'margin'] as const);
    this.name = this.loss === 'margin' ? 'pgd-margin' : 'pgd';
    this.seed = checkInteger('LinfPgd', 'seed', options.seed ?? 0, 0);
    this.rng = createRng(this.seed);
    this.params = {
      steps: this.steps,
      stepSize: this.stepSize ?? `2.5*eps/${this.steps}`,
      randomStart: this.randomStart,
      restarts: this.restarts,
      loss: this.loss,
      seed: this.seed,
      targeted: this.targeted,
    };
  }

  protected perturb(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    let best: tf.Tensor4D | undefined;
    let bestMargin: tf.Tensor1D | undefined;
    for (let restart = 0; restart < this.restarts; restart++) {
      const candidate = this.descend(model, images, labels, eps);
      if (this.restarts === 1) return candidate;
      const candidateMargin = tf.tidy(() => successScore(logitsOf(model, candidate), labels, this.targeted));
      if (best === undefined || bestMargin === undefined) {
        best = candidate;
        bestMargin = candidateMargin;
        continue;
      }
      // Ties keep the earlier restart, so adding restarts can never weaken the result.
      const better = tf.greater(candidateMargin, bestMargin);
      const nextBest = tf.where<tf.Tensor4D>(tf.reshape(better, [-1, 1, 1, 1]), candidate, best);
      const nextMargin = tf.where(better, candidateMargin, bestMargin);
      tf.dispose([best, bestMargin, candidate, candidateMargin, better]);
      best = nextBest;
      bestMargin = nextMargin;
    }
    tf.dispose(bestMargin);
    return best as tf.Tensor4D;
  }

  private descend(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    const stepSize = this.stepSize ?? (2.5 * eps) / this.steps;
    let x = this.randomStart
      ? tf.tidy(() =>
          this.project(tf.add(images, tf.tensor(this.rng.uniform(images.size, -eps, eps), images.shape)), images, eps),
        )
      : tf.clone(images);
    for (let step = 0; step < this.steps; step++) {
      const next = tf.tidy(() =>
        this.project(tf.add(x, tf.mul(stepSize, tf.sign(inputGradient(model, x, labels, this.loss, this.targeted)))), images, eps),
      );
      x.dispose();
      x = next;
    }
    return x;
  }
}
