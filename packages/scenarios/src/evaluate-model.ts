import { ApbError } from '@apb/core';
import { createAttack, evaluateRobustness, type Attack, type RobustnessProgress } from '@apb/attacks';
import { toFloat32 } from '@apb/datasets';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluationAttackDefinition, evaluationAttackNames } from './evaluation-attacks.js';
import type { SplitData } from './internal/training-data.js';
import { imagesToTensor, subsetOf } from './internal/training-data.js';
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

/**
 * The attack objects of an evaluation plan, in the plan's order, each built by its entry in the
 * evaluation-attack registry.
 */
export function attacksForPlan(plan: EvaluationPlan, seed: number, transferSource?: tfl.LayersModel): Attack[] {
  return plan.attacks.map((name) => {
    const definition = evaluationAttackDefinition(name);
    if (definition === undefined) {
      throw new ApbError(`The evaluation plan names the attack "${name}", which is not registered.`, {
        code: 'BAD_CONFIG',
        suggestion: `Use one of ${evaluationAttackNames().join(', ')}, or register it with registerEvaluationAttack().`,
      });
    }
    return definition.build(plan, { seed, createAttack, ...(transferSource === undefined ? {} : { transferSource }) });
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
  const attacks = attacksForPlan(plan, options.seed, options.transferSource);
  // evaluateRobustness finds an attack's subset under the name it records results by.
  const subset: Record<string, number> = {};
  plan.attacks.forEach((name, index) => {
    const limit = evaluationAttackDefinition(name)?.subsetLimit?.(plan) ?? null;
    if (limit !== null) subset[attacks[index]!.name] = Math.min(limit, data.count);
  });
  // Flat floats are read as square grey images; other shapes go as one [n, rows, cols, channels] tensor.
  const grey = (data.channels ?? 1) === 1 && data.rows === data.cols;
  const images = grey ? toFloat32(data.images) : imagesToTensor(data.images, data.count, data.rows, data.cols, data.channels);
  try {
    const evaluation = await evaluateRobustness(model, { images, labels: data.labels }, attacks, {
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
  } finally {
    if (!(images instanceof Float32Array)) images.dispose();
  }
}
