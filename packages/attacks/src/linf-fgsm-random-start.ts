import * as tf from '@tensorflow/tfjs-core';
import { Attack } from './attack.js';
import type { Classifier } from './classifier.js';
import { inputGradient } from './gradient.js';
import { checkBoolean, checkInteger, checkPositive } from './options.js';
import { createRng, type Rng } from '@apb/core';

/** Options of {@link LinfFgsmRandomStart}. */
export interface LinfFgsmRandomStartOptions {
  /** Absolute step size, > 0. Default `1.25 * eps` (Wong et al. 2020). */
  alpha?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** Targeted mode: labels are the classes to reach. Default false. */
  targeted?: boolean;
}

/**
 * FGSM from a uniform random point of the eps-ball (Wong, Rice & Kolter 2020, "Fast is better
 * than free"), `fgsm-rs`: the attack inside "fast" adversarial training. One gradient per batch.
 */
export class LinfFgsmRandomStart extends Attack {
  readonly name = 'fgsm-rs';
  readonly params: Record<string, unknown>;
  readonly alpha: number | undefined;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(options: LinfFgsmRandomStartOptions = {}) {
    super(checkBoolean('LinfFgsmRandomStart', 'targeted', options.targeted ?? false));
    this.alpha = options.alpha === undefined ? undefined : checkPositive('LinfFgsmRandomStart', 'alpha', options.alpha);
    this.seed = checkInteger('LinfFgsmRandomStart', 'seed', options.seed ?? 0, 0);
    this.rng = createRng(this.seed);
    this.params = { alpha: this.alpha ?? '1.25*eps', seed: this.seed, targeted: this.targeted };
  }

  protected perturb(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    const alpha = this.alpha ?? 1.25 * eps;
    const noise = this.rng.uniform(images.size, -eps, eps);
    return tf.tidy(() => {
      // Wong et al. keep the start inside the input bounds before taking the gradient.
      const start = this.project(tf.add(images, tf.tensor(noise, images.shape)), images, eps);
      return tf.add(start, tf.mul(alpha, tf.sign(inputGradient(model, start, labels, 'ce', this.targeted))));
    });
  }
}
