import { ApbError } from '@apb/core';
import { createAttack, evaluateRobustness, type Attack, type RobustnessProgress } from '@apb/attacks';
import { toFloat32 } from '@apb/datasets';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitData } from './internal/training-data.js';
import { subsetOf } from './internal/training-data.js';
import type { EvaluationRecord } from './run-record.js';
import type { EvaluationPlan } from './train-config.js';

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** The classical LeNet the transfer attack crafts on; required when the plan has `transfer`. */
  transferSource?: tfl.LayersModel;
  /** Seed of the subsets and of the attacks' random starts. */
  seed: number;
  signal?: AbortSignal;
  onProgress?: (progress: RobustnessProgress) => void;
}

class Aborted extends Error {}

/** The attack objects of an evaluation plan, in the plan's order. */
export function attacksForPlan(plan: EvaluationPlan, seed: number, transferSource?: tfl.LayersModel): Attack[] {
  return plan.attacks.map((name) => {
    switch (name) {
      case 'fgsm':
        return createAttack('fgsm');
      case 'fgsm-margin':
        return createAttack('fgsm', { loss: 'margin' });
      case 'pgd':
        return createAttack('pgd', { steps: plan.pgdSteps, restarts: plan.pgdRestarts, seed });
      case 'pgd-margin':
        return createAttack('pgd', { steps: plan.pgdSteps, restarts: plan.pgdRestarts, loss: 'margin', seed });
      case 'square':
        return createAttack('square', { queries: plan.squareQueries, seed });
      case 'noise':
        return createAttack('noise', { seed });
      case 'transfer':
        if (!transferSource) {
          throw new ApbError('The evaluation plan has the transfer attack but no source model was given.', {
            code: 'TRANSFER_SOURCE_MISSING',
            suggestion: 'Pass transferSource (a classical LeNet trained with another seed), or drop transfer from the attacks.',
          });
        }
        // The surrogate is attacked white-box with the same PGD the target faces.
        return createAttack('transfer', { source: transferSource, attack: 'pgd', attackParams: { steps: plan.pgdSteps, seed } });
    }
  });
}

/**
 * Evaluates `model` (inference mode) on the test split with `@apb/attacks`' `evaluateRobustness`:
 * clean accuracy, every planned attack at every eps (PGD, transfer and Square on fixed seeded
 * subsets), worst case and the gradient-masking diagnostics. Returns undefined if `signal` aborts.
 */
export async function evaluateModel(
  model: tfl.LayersModel,
  test: SplitData,
  plan: EvaluationPlan,
  options: EvaluateModelOptions,
): Promise<{ evaluation: EvaluationRecord; seconds: number } | undefined> {
  const started = performance.now();
  const data = subsetOf(test, plan.limit, options.seed);
  const subset: Record<string, number> = {};
  if (plan.pgdLimit !== null) {
    subset['pgd'] = Math.min(plan.pgdLimit, data.count);
    subset['pgd-margin'] = Math.min(plan.pgdLimit, data.count);
    subset['transfer'] = Math.min(plan.pgdLimit, data.count);
  }
  if (plan.squareLimit !== null) subset['square'] = Math.min(plan.squareLimit, data.count);
  try {
    const evaluation = await evaluateRobustness(model, { images: toFloat32(data.images), labels: data.labels }, attacksForPlan(plan, options.seed, options.transferSource), {
      epsilons: plan.eps,
      subset,
      seed: options.seed,
      diagnostics: plan.diagnostics,
      diagnosticsSubset: Math.min(plan.diagnosticsLimit, data.count),
      onProgress: (progress) => {
        // evaluateRobustness has no signal of its own; throwing from its per-batch callback stops it.
        if (options.signal?.aborted) throw new Aborted();
        options.onProgress?.(progress);
      },
    });
    return { evaluation, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (error instanceof Aborted) return undefined;
    throw error;
  }
}
