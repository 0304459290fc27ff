// The one list of evaluation attacks: the plan's schema, the evaluation, the CLI's flags and the
// report's attack families all read it. It has no runtime import of @apb/attacks (TensorFlow.js), so
// the CLI can read names and families at start-up; builders get createAttack handed in.
import { ApbError } from '@apb/core';
import type { Attack, createAttack } from '@apb/attacks';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The budgets of an evaluation plan an attack is built from (every `EvaluationPlan` is one). */
export interface EvaluationBudgets {
  pgdSteps: number;
  pgdRestarts: number;
  /** Images of the fixed seeded subset PGD-like attacks run on (null: the whole evaluated set). */
  pgdLimit: number | null;
  squareQueries: number;
  squareLimit: number | null;
}

/** What a builder gets besides the plan. */
export interface EvaluationAttackContext {
  /** Seed of the attack's random starts. */
  seed: number;
  /** The classical model transfer attacks craft on, when the evaluation has one. */
  transferSource?: tfl.LayersModel;
  /** `@apb/attacks`' factory, handed in so that this registry does not load TensorFlow.js. */
  createAttack: typeof createAttack;
}

/** One attack an evaluation plan can name. */
export interface EvaluationAttackDefinition {
  /** Lowercase name, in the plan (`evaluation.attacks`, `--eval-attacks`) and in the recorded results. */
  name: string;
  /** The report's attack family (`fgsm-margin` stays apart from `fgsm`); default: the name. */
  family?: string;
  /** One line for `--help` and errors. */
  description: string;
  /** Whether the attack crafts on the transfer source model, which the run then trains first. */
  needsTransferSource?: boolean;
  /** Size of the fixed seeded subset the attack runs on (null or absent: the whole evaluated set). */
  subsetLimit?: (plan: EvaluationBudgets) => number | null;
  /** The attack object; its `name` must be this definition's name, since results are recorded under it. */
  build(plan: EvaluationBudgets, context: EvaluationAttackContext): Attack;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const attacks = new Map<string, EvaluationAttackDefinition>();

/**
 * Adds an attack evaluation plans can name. Throws an `ApbError` (code `INVALID_OPTION`) when the
 * name is malformed or taken.
 */
export function registerEvaluationAttack(definition: EvaluationAttackDefinition): void {
  if (!NAME.test(definition.name)) {
    throw new ApbError(`registerEvaluationAttack: "${definition.name}" is not a usable attack name.`, {
      code: 'INVALID_OPTION',
      suggestion: 'Use lowercase letters, digits and -.',
    });
  }
  if (attacks.has(definition.name)) {
    throw new ApbError(`registerEvaluationAttack: an attack named "${definition.name}" is already registered.`, {
      code: 'INVALID_OPTION',
      suggestion: 'Pick another name, or unregister the existing one first.',
    });
  }
  attacks.set(definition.name, { ...definition });
}

/** Removes an attack added with {@link registerEvaluationAttack}; built-in ones stay. Returns whether it was removed. */
export function unregisterEvaluationAttack(name: string): boolean {
  if ((BUILT_IN_ATTACKS as readonly string[]).includes(name)) return false;
  return attacks.delete(name);
}

/** The definition registered under `name`, or undefined. */
export function evaluationAttackDefinition(name: string): EvaluationAttackDefinition | undefined {
  return attacks.get(name);
}

/** Names of every registered evaluation attack, built-in ones first. */
export function evaluationAttackNames(): string[] {
  return [...attacks.keys()];
}

/** The report family of a registered attack name, or undefined for a name nobody registered. */
export function evaluationAttackFamily(name: string): string | undefined {
  const definition = attacks.get(name);
  return definition === undefined ? undefined : (definition.family ?? definition.name);
}

/** The attacks every evaluation can name without registering anything. */
export const BUILT_IN_ATTACKS = ['fgsm', 'fgsm-margin', 'pgd', 'pgd-margin', 'transfer', 'transfer-pgd', 'transfer-fgsm', 'square', 'noise'] as const;

/** Whether any attack of `attacks` crafts on the transfer source model. */
export function needsTransferSource(attacks: readonly string[]): boolean {
  return attacks.some((name) => evaluationAttackDefinition(name)?.needsTransferSource === true);
}

function requireTransferSource(transferSource: tfl.LayersModel | undefined): tfl.LayersModel {
  if (!transferSource) {
    throw new ApbError('The evaluation plan has a transfer attack but no source model was given.', {
      code: 'TRANSFER_SOURCE_MISSING',
      suggestion: 'Pass transferSource (a classical LeNet trained with another seed), or drop the transfer attacks.',
    });
  }
  return transferSource;
}

const pgdSubset = (plan: EvaluationBudgets) => plan.pgdLimit;

registerEvaluationAttack({ name: 'fgsm', description: 'FGSM, cross-entropy loss', build: (_plan, { createAttack }) => createAttack('fgsm') });
registerEvaluationAttack({ name: 'fgsm-margin', description: 'FGSM, margin loss', build: (_plan, { createAttack }) => createAttack('fgsm', { loss: 'margin' }) });
registerEvaluationAttack({
  name: 'pgd',
  description: 'PGD with restarts, cross-entropy loss',
  subsetLimit: pgdSubset,
  build: (plan, { createAttack, seed }) => createAttack('pgd', { steps: plan.pgdSteps, restarts: plan.pgdRestarts, seed }),
});
registerEvaluationAttack({
  name: 'pgd-margin',
  description: 'PGD with restarts, margin loss',
  subsetLimit: pgdSubset,
  build: (plan, { createAttack, seed }) => createAttack('pgd', { steps: plan.pgdSteps, restarts: plan.pgdRestarts, loss: 'margin', seed }),
});
registerEvaluationAttack({
  name: 'transfer',
  description: 'PGD adversarials crafted on a classical LeNet trained with another seed',
  needsTransferSource: true,
  subsetLimit: pgdSubset,
  // The surrogate is attacked white-box with the same PGD the target faces.
  build: (plan, { createAttack, seed, transferSource }) =>
    createAttack('transfer', { source: requireTransferSource(transferSource), attack: 'pgd', attackParams: { steps: plan.pgdSteps, seed } }),
});
registerEvaluationAttack({
  name: 'transfer-pgd',
  family: 'transfer',
  description: 'the transfer attack under the name that sets it beside transfer-fgsm',
  needsTransferSource: true,
  subsetLimit: pgdSubset,
  build: (plan, { createAttack, seed, transferSource }) =>
    createAttack('transfer', { source: requireTransferSource(transferSource), attack: 'pgd', attackParams: { steps: plan.pgdSteps, seed }, name: 'transfer-pgd' }),
});
registerEvaluationAttack({
  name: 'transfer-fgsm',
  description: 'FGSM adversarials crafted on a classical LeNet trained with another seed',
  needsTransferSource: true,
  build: (_plan, { createAttack, transferSource }) =>
    createAttack('transfer', { source: requireTransferSource(transferSource), attack: 'fgsm', name: 'transfer-fgsm' }),
});
registerEvaluationAttack({
  name: 'square',
  description: 'Square attack (score-based, no gradients)',
  subsetLimit: (plan) => plan.squareLimit,
  build: (plan, { createAttack, seed }) => createAttack('square', { queries: plan.squareQueries, seed }),
});
registerEvaluationAttack({ name: 'noise', description: 'uniform random noise at eps (a sanity baseline)', build: (_plan, { createAttack, seed }) => createAttack('noise', { seed }) });
