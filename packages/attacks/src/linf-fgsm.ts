import * as tf from '@tensorflow/tfjs-core';
import { Attack } from './attack.js';
import type { Classifier } from './classifier.js';
import { inputGradient } from './gradient.js';
import type { AttackLoss } from './losses.js';
import { checkBoolean, checkChoice } from './options.js';

/** Options of {@link LinfFgsm}. */
export interface LinfFgsmOptions {
  /** Loss to ascend: `ce` (cross-entropy of the logits, the paper's attack) or `margin`. Default `ce`. */
  loss?: AttackLoss;
  /** Targeted mode: labels are the classes to reach. Default false. */
  targeted?: boolean;
}

/**
 * Fast Gradient Sign Method (Goodfellow et al. 2015), `fgsm`: one step of size eps along the sign
 * of the input gradient of the loss. This is the attack the paper reports (eps = 0.3).
 */
export class LinfFgsm extends Attack {
  /** `fgsm`, or `fgsm-margin` with the margin loss, so results of the two stay apart. */
  readonly name: 'fgsm' | 'fgsm-margin';
  readonly params: Record<string, unknown>;
  readonly loss: AttackLoss;

  constructor(options: LinfFgsmOptions = {}) {
    super(checkBoolean('LinfFgsm', 'targeted', options.targeted ?? false));
    this.loss = checkChoice('LinfFgsm', 'loss', options.loss ?? 'ce', ['ce', 'margin'] as const);
    this.name = this.loss === 'margin' ? 'fgsm-margin' : 'fgsm';
    this.params = { loss: this.loss, targeted: this.targeted };
  }

  protected perturb(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    return tf.tidy(() => tf.add(images, tf.mul(eps, tf.sign(inputGradient(model, images, labels, this.loss, this.targeted)))));
  }
}
