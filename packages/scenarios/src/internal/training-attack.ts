// The training-time attacks, from @apb/attacks.
import { createAttack, type Attack } from '@apb/attacks';

/** Options of the training-time attack. */
export interface TrainingAttackOptions {
  method: 'standard' | 'pgd' | 'fast';
  pgdSteps: number;
  seed: number;
}

/**
 * The attack that crafts training examples: FGSM for the paper's scenarios, PGD with random start
 * (step 2.5 eps / steps) for Madry PGD-AT, FGSM with random start (alpha 1.25 eps) for "fast" AT.
 * One object per epoch, seeded from (run seed, epoch), so a resumed run repeats the same streams.
 */
export function trainingAttack(options: TrainingAttackOptions): Attack {
  if (options.method === 'pgd') return createAttack('pgd', { steps: options.pgdSteps, randomStart: true, restarts: 1, seed: options.seed });
  if (options.method === 'fast') return createAttack('fgsm-rs', { seed: options.seed });
  return createAttack('fgsm');
}
