import type * as tf from '@tensorflow/tfjs-core';
import { ApbError } from '@apb/core';
import { Attack } from './attack.js';
import type { Classifier } from './classifier.js';

/** Options of {@link Transfer}. */
export interface TransferOptions {
  /** The surrogate model the adversarials are crafted on (white-box). */
  source: Classifier;
  /** The attack run on `source`, e.g. a `LinfPgd`. */
  attack: Attack;
  /**
   * The name results are recorded under. Default `transfer`; an evaluation running transfer from
   * FGSM and from PGD side by side tells them apart with e.g. `transfer-fgsm` and `transfer-pgd`.
   */
  name?: string;
}

/**
 * Transfer (black-box) attack, `transfer`: adversarials crafted by `attack` on the `source` model
 * and evaluated on the attacked model, which is only queried for the success mask. A target that
 * resists white-box attacks but not these has masked gradients.
 */
export class Transfer extends Attack {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly source: Classifier;
  readonly attack: Attack;

  constructor(options: TransferOptions) {
    super(options?.attack instanceof Attack ? options.attack.targeted : false);
    if (options?.source === undefined || options.source === null) {
      throw new ApbError('Transfer: option "source" must be a model (LayersModel or x => logits), got nothing', {
        code: 'INVALID_OPTION',
        suggestion: 'Pass the surrogate model as source.',
      });
    }
    if (!(options.attack instanceof Attack)) {
      throw new ApbError('Transfer: option "attack" must be an Attack (e.g. new LinfPgd()), got ' + String(options.attack), {
        code: 'INVALID_OPTION',
        suggestion: 'Pass the attack to run on the source model as attack.',
      });
    }
    if (options.name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(options.name)) {
      throw new ApbError(`Transfer: option "name" must be a lowercase name such as transfer-fgsm, got ${JSON.stringify(options.name)}`, {
        code: 'INVALID_OPTION',
        suggestion: 'Use lowercase letters, digits and -.',
      });
    }
    this.name = options.name ?? 'transfer';
    this.source = options.source;
    this.attack = options.attack;
    this.params = { attack: this.attack.name, attackParams: this.attack.params };
  }

  protected perturb(_model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    return this.attack.craft(this.source, images, labels, eps);
  }
}
