import * as tf from '@tensorflow/tfjs-core';
import { Attack } from './attack.js';
import type { Classifier } from './classifier.js';
import { checkInteger } from './options.js';
import { createRng, type Rng } from '@apb/core';

/** Options of {@link RandomNoise}. */
export interface RandomNoiseOptions {
  /** Seed of the noise. Default 0. */
  seed?: number;
}

/**
 * Uniform l-inf noise of radius eps, `noise`: not an attack but a floor. A real attack must do far
 * more damage than this; if it does not, its gradients are probably useless.
 */
export class RandomNoise extends Attack {
  readonly name = 'noise';
  readonly params: Record<string, unknown>;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(options: RandomNoiseOptions = {}) {
    super();
    this.seed = checkInteger('RandomNoise', 'seed', options.seed ?? 0, 0);
    this.rng = createRng(this.seed);
    this.params = { seed: this.seed };
  }

  protected perturb(_model: Classifier, images: tf.Tensor4D, _labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    const noise = this.rng.uniform(images.size, -eps, eps);
    return tf.tidy(() => tf.add(images, tf.tensor(noise, images.shape)));
  }
}
