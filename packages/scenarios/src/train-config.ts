import { ApbError } from '@apb/core';
import { datasetDescriptor, registeredDatasetNames } from '@apb/datasets';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { BUILT_IN_ATTACKS, evaluationAttackDefinition, evaluationAttackNames } from './evaluation-attacks.js';
import { LEGACY_APB_MODEL, modelArchitecture, modelDefinition, registeredModelNames } from './model-registry.js';

/**
 * The built-in evaluation attacks. The list an evaluation accepts is the registry's
 * (`evaluationAttackNames()`, extended with `registerEvaluationAttack`); this stays for callers that
 * want the built-in names as literals.
 */
export const EVALUATION_ATTACKS = BUILT_IN_ATTACKS;

/** One attack of the evaluation plan: a name of the evaluation-attack registry. */
export type EvaluationAttack = string;

/**
 * What the evaluation after training measures. Presets differ (a smoke run evaluates a few hundred
 * images with tiny budgets), so every budget is an option.
 */
const evaluationPlanShape = {
  /** Attacks to run besides clean accuracy; `[]` measures clean accuracy only. */
  attacks: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase attack name such as fgsm')).default(['fgsm', 'pgd', 'transfer', 'square']),
  /** l-inf budgets; the paper's FGSM budget is 0.3. */
  eps: z.array(z.number().gt(0).max(1)).min(1).default([0.3]),
  /** Test examples for clean accuracy, FGSM, transfer and noise (null: every test example). */
  limit: z.int().positive().nullable().default(null),
  /** PGD steps, restarts and the fixed seeded subset it runs on (null: the whole evaluated set). */
  pgdSteps: z.int().positive().default(40),
  pgdRestarts: z.int().positive().default(2),
  pgdLimit: z.int().positive().nullable().default(1000),
  /** Square attack query budget and its fixed seeded subset. */
  squareQueries: z.int().positive().default(1000),
  squareLimit: z.int().positive().nullable().default(1000),
  /** Run the gradient-masking diagnostics, on a fixed seeded subset of this size. */
  diagnostics: z.boolean().default(true),
  diagnosticsLimit: z.int().positive().default(200),
  /** Seed of the classical LeNet the transfer attack is crafted on (must differ from the run's). */
  transferSeed: z.int().nonnegative().nullable().default(null),
  /** Epochs of the transfer source (null: the run's own epochs). */
  transferEpochs: z.int().positive().nullable().default(null),
  /**
   * Epochs after which training pauses to evaluate the model with this plan (without diagnostics),
   * kept with the final evaluation as `evaluation.history`; [] evaluates only at the end.
   */
  checkpoints: z.array(z.int().positive()).default([]),
};

/**
 * The evaluation plan's schema (unknown keys are errors, and so are attacks nobody registered; a
 * recorded plan is read without that check, see {@link recordedTrainConfigSchema}).
 */
export const evaluationPlanSchema = z.strictObject(evaluationPlanShape).superRefine((plan, context) => {
  plan.attacks.forEach((name, index) => {
    if (evaluationAttackDefinition(name) === undefined) {
      context.addIssue({ code: 'custom', path: ['attacks', index], message: `"${name}" is not a registered evaluation attack (${evaluationAttackNames().join(', ')})` });
    }
  });
});

/** Resolved evaluation plan. */
export type EvaluationPlan = z.infer<typeof evaluationPlanSchema>;

const trainConfigShape = {
  /**
   * `mnist`, `fashion-mnist`, or the name of the custom data set in `datasetDir` (left out: named
   * after that folder, see {@link datasetNameForFolder}).
   */
  dataset: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase name such as mnist or fashion-mnist').default('mnist'),
  /** A folder of IDX files named like MNIST's, used instead of an official data set (null: official). */
  datasetDir: z.string().min(1).nullable().default(null),
  /**
   * Architecture, a name of the model registry (`lenet`, or one added with `registerModel`). With an
   * APB, LeNet is stored as `lenet-apb`, its name before the registry, so recorded runs keep their
   * ids; `lenet-apb` is still accepted as input (meaning LeNet with the naive APB by default).
   */
  model: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase model name such as lenet').default('lenet'),
  /** APB kind; null for a classical model, `naive` when `lenet-apb` leaves it out. */
  apb: z.enum(['naive', 'multimodal']).nullable().default(null),
  /** Bias memories h of the multimodal APB (0 for naive). */
  memories: z.int().nonnegative().default(0),
  /** Step size of the APB's FGSM-style update. */
  apbEps: z.number().gt(0).default(0.01),
  /** `ascent` moves the bias towards higher loss (adversarial), `descent` away from it. */
  apbDirection: z.enum(['ascent', 'descent']).default('ascent'),
  /** `accumulate` keeps the perturbation across steps; `reset` recomputes it every step. */
  apbMode: z.enum(['accumulate', 'reset']).default('accumulate'),
  /**
   * l-inf bound of the stored perturbation: delta (naive) or the memories m (multimodal). null: the
   * layer's default, which is 1/h on m for the budgeted multimodal step and none otherwise.
   */
  apbClip: z.number().gt(0).nullable().default(null),
  /**
   * Multimodal memory step: `budgeted` scales it so one step moves delta = m W_ap by at most
   * apbEps whatever h is; `fixed` is the unscaled step of earlier versions (see @apb/layers).
   */
  apbMemoryStep: z.enum(['budgeted', 'fixed']).default('budgeted'),
  scenario: z.enum(['clean', 'adversarial', 'mixed']).default('clean'),
  adversarialSource: z.enum(['online', 'precomputed']).default('online'),
  method: z.enum(['standard', 'pgd', 'fast']).default('standard'),
  /** Budget of the training-time attack (FGSM, PGD or FGSM-RS). */
  attackEps: z.number().gt(0).max(1).default(0.3),
  /**
   * Share of training (in batches) over which the training attack's eps rises linearly from 0 to
   * `attackEps`, as PGD adversarial training schedules do so that the model first learns the task;
   * 0 attacks at the full eps from the first batch (the paper's scenarios).
   */
  attackEpsRamp: z.number().min(0).max(1).default(0),
  /** PGD adversarial training: steps of the inner attack (step size 2.5 eps / steps). */
  pgdSteps: z.int().positive().default(10),
  epochs: z.int().positive().default(10),
  batchSize: z.int().positive().default(128),
  lr: z.number().gt(0).default(0.001),
  seed: z.int().nonnegative().default(1),
  trainLimit: z.int().positive().nullable().default(null),
  testLimit: z.int().positive().nullable().default(null),
  dataDir: z.string().min(1).nullable().default(null),
  backend: z.enum(['auto', 'native', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Reproduction preset the run belongs to (null: a run of its own). */
  preset: z.enum(['smoke', 'quick', 'long', 'paper']).nullable().default(null),
  /** Where sibling runs share source models (precomputed and transfer); null: `<outDir>/../sources`. */
  sourcesDir: z.string().min(1).nullable().default(null),
  evaluation: evaluationPlanSchema.default(() => evaluationPlanSchema.parse({})),
};

/**
 * `lenet-apb` without an APB kind means the naive APB, and LeNet with an APB is stored as
 * `lenet-apb` (see `model`), whichever spelling asked for it.
 */
const defaultApb = <T extends { model: string; apb: 'naive' | 'multimodal' | null }>(config: T): T => {
  if (config.model === LEGACY_APB_MODEL) return { ...config, apb: config.apb ?? 'naive' };
  if (config.model === 'lenet' && config.apb !== null) return { ...config, model: LEGACY_APB_MODEL };
  return config;
};

/**
 * Every option of `apb train`, with defaults. The CLI derives its flags from this schema, so the
 * two cannot drift.
 */
export const trainConfigSchema = z.strictObject(trainConfigShape).transform(defaultApb);

/**
 * The same options as read back from a `run.json`: keys a newer writer added are kept rather than
 * refused, since fields are only ever added within a schema version.
 */
export const recordedTrainConfigSchema = z.preprocess(
  withRecordedMemoryStep,
  z.looseObject({ ...trainConfigShape, evaluation: z.looseObject(evaluationPlanShape).default(() => evaluationPlanSchema.parse({})) }).transform(defaultApb),
);

/**
 * A multimodal run recorded before `apbMemoryStep` existed was trained with the `fixed` step, so it
 * reads as `fixed`; for other runs the option changes nothing and they read as the default, so a
 * reproduction does not retrain them.
 */
function withRecordedMemoryStep(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'apbMemoryStep' in raw) return raw;
  return { ...raw, apbMemoryStep: (raw as { apb?: unknown }).apb === 'multimodal' ? 'fixed' : 'budgeted' };
}

/** Every option of a training run, resolved (defaults filled in). */
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** What a caller may give: any subset of {@link TrainConfig}. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * The data set name a folder of IDX files gets when no name is given: the folder's own name,
 * lowercased, with every run of other characters than a-z, 0-9 and `-` made one `-`
 * (`My_Digits` -> `my-digits`). Undefined when nothing is left of it.
 */
export function datasetNameForFolder(folder: string): string | undefined {
  const name = basename(resolve(folder))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name === '' ? undefined : name;
}

/**
 * Fills in defaults and checks every option and the combinations the schema alone cannot see.
 * Throws an `ApbError` (code `BAD_CONFIG`) whose one-line message names the option.
 *
 * Custom data (`datasetDir`) without a `dataset` is named after its folder, never the default
 * `mnist`, so its runs are not filed with MNIST's.
 */
export function resolveTrainConfig(partial: TrainConfigInput = {}): TrainConfig {
  if (partial.dataset === undefined && typeof partial.datasetDir === 'string' && partial.datasetDir !== '') {
    const dataset = datasetNameForFolder(partial.datasetDir);
    if (dataset === undefined) {
      throw new ApbError(`Invalid training option "dataset": cannot name the data set after the folder ${partial.datasetDir}.`, {
        code: 'BAD_CONFIG',
        suggestion: 'Name it with --dataset NAME (lowercase letters, digits and -).',
      });
    }
    partial = { ...partial, dataset };
  }
  const parsed = trainConfigSchema.safeParse(partial);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path.join('.') || 'config';
    throw new ApbError(`Invalid training option "${option}": ${issue?.message ?? 'invalid value'}.`, {
      code: 'BAD_CONFIG',
      suggestion: `Fix "${option}" (see \`apb train --help\` for the allowed values).`,
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  const fail = (option: string, message: string, suggestion: string): never => {
    throw new ApbError(`Invalid training option "${option}": ${message}.`, { code: 'BAD_CONFIG', suggestion });
  };
  if (config.datasetDir === null && datasetDescriptor(config.dataset) === undefined) {
    const names = registeredDatasetNames();
    fail('dataset', `"${config.dataset}" is not ${names.length > 2 ? 'a registered data set' : names.join(' or ')}`, `Use --dataset ${names.join('|')}, or give a folder of IDX files as datasetDir.`);
  }
  const definition = modelDefinition(modelArchitecture(config.model));
  if (definition === undefined) {
    fail('model', `"${config.model}" is not a registered model`, `Use --model ${registeredModelNames().join('|')}, or register it with registerModel().`);
  } else if (config.apb !== null && definition.supportsApb === false) {
    fail('apb', `model "${config.model}" has no APB`, 'Leave --apb out for this model.');
  }
  if (config.apb === 'multimodal' && config.memories < 1) {
    fail('memories', 'the multimodal APB needs at least 1 bias memory', 'Pass --memories H with H >= 1.');
  }
  if (config.apb !== 'multimodal' && config.memories !== 0) {
    fail('memories', 'bias memories only apply to the multimodal APB', 'Use --apb multimodal, or leave --memories out.');
  }
  if (config.method !== 'standard' && config.scenario === 'clean') {
    fail('scenario', `method "${config.method}" trains on adversarial examples`, 'Use --scenario adversarial (or mixed) with --method pgd|fast.');
  }
  if (config.method !== 'standard' && config.adversarialSource === 'precomputed') {
    fail('adversarialSource', `method "${config.method}" crafts its examples online`, 'Use --adversarial-source online with --method pgd|fast.');
  }
  if (config.attackEpsRamp > 0 && (config.scenario === 'clean' || config.adversarialSource === 'precomputed')) {
    fail('attackEpsRamp', 'the eps ramp applies to adversarial examples crafted during training', 'Use it with --scenario adversarial|mixed and --adversarial-source online, or leave it out.');
  }
  if (config.evaluation.transferSeed !== null && config.evaluation.transferSeed === config.seed) {
    fail('evaluation.transferSeed', 'the transfer source must be trained with another seed', 'Leave it out, or pick a seed other than --seed.');
  }
  return config;
}

/**
 * Stable id of a configuration, e.g. `mnist-clean-apb-naive-s1`: the same options always give the
 * same id, so a restart finds its finished runs.
 */
export function runIdFor(config: TrainConfig): string {
  const parts: string[] = [config.dataset, config.scenario];
  if (config.scenario !== 'clean' && config.adversarialSource === 'precomputed') parts.push('precomputed');
  if (config.method !== 'standard') parts.push(`${config.method}-at`);
  if (config.attackEpsRamp > 0) parts.push(`ramp${config.attackEpsRamp}`);
  // LeNet, the paper's model, is left out of the id, so ids stay those of runs before the registry.
  const architecture = modelArchitecture(config.model);
  if (architecture !== 'lenet') parts.push(architecture);
  if (config.apb === null) parts.push('classical');
  else parts.push(config.apb === 'multimodal' ? `apb-multimodal-h${config.memories}` : 'apb-naive');
  // The paper's APB step (0.01) stays out of the id, so ids stay those of runs from before the option varied.
  if (config.apb !== null && config.apbEps !== 0.01) parts.push(`eps${config.apbEps}`);
  // Only the multimodal APB has memories to step; the default step keeps the ids of earlier versions.
  if (config.apb === 'multimodal' && config.apbMemoryStep === 'fixed') parts.push('fixed-step');
  parts.push(`s${config.seed}`);
  return parts.join('-');
}
