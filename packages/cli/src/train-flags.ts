import type { BackendChoice } from '@apb/backend';
import type { EvaluationPlan, TrainConfig } from '@apb/scenarios';
// The registry alone (no TensorFlow.js), so the flag table can name the attacks at start-up.
import { evaluationAttackDefinition, evaluationAttackNames } from '@apb/scenarios/evaluation-attacks';
import { Option } from 'commander';
import { z } from 'zod';

import { flagNameOf } from './flag-names.js';

/** One row of a flag table: how one config field is typed on the command line. */
export interface ConfigFlag<Schema extends z.ZodType = z.ZodType> {
  /** The value placeholder shown in `--help`, e.g. `name`. */
  placeholder: string;
  description: string;
  /**
   * The default `--help` shows. The value itself lives in `@apb/scenarios`' schemas (the CLI leaves
   * a flag that was not given out of the config); a test checks each one against them.
   */
  default?: string;
  /** Parses the raw string commander hands over into the config value. */
  schema: Schema;
}

const whole = z.coerce.number({ error: 'must be a number' }).int('must be a whole number');
const count = whole.positive('must be at least 1');
const positive = z.coerce.number({ error: 'must be a number' }).finite('must be a number').positive('must be greater than 0');
const epsilon = z.coerce.number({ error: 'must be a number' }).finite('must be a number').gt(0, 'must be greater than 0').max(1, 'must be at most 1');
/** A name of `@apb/scenarios`' evaluation-attack registry. */
const attackName = z.string().superRefine((name, context) => {
  if (evaluationAttackDefinition(name) === undefined) context.addIssue({ code: 'custom', message: `"${name}" is not an evaluation attack: use ${evaluationAttackNames().join(', ')}` });
});
/** The backend choices of `@apb/backend` (`BACKEND_CHOICES`), spelled out so zod can type them. */
export const BACKENDS = ['auto', 'native', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
const yesNo = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: 'must be true or false' }));

/** `"a,b"` -> `["a", "b"]`, each part checked by `item`. */
/** A comma-separated flag value (or an array from a runX caller) as a list of `item`. */
export function listOf<Item extends z.ZodType>(item: Item) {
  // Strings from the command line are split at commas; arrays (from runX callers) pass through.
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value),
    z.array(item).min(1, 'needs at least one value (comma-separated)'),
  );
}

/**
 * The table behind both the `apb train` flags and the `TrainConfig` fields they set (vitest's
 * cli-config idea): the flag is the kebab-case field name, and the compile-time check below fails
 * when `TrainConfig` gains or loses a field this table does not mirror.
 */
export const trainFlags = {
  dataset: { placeholder: 'name', description: 'dataset: mnist | fashion-mnist (or the name of a --dataset-dir data set)', schema: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase name such as mnist or fashion-mnist'), default: 'mnist' },
  datasetDir: { placeholder: 'dir', description: 'folder of IDX files (train-images-idx3-ubyte(.gz), ...) of a data set of your own', schema: z.string().min(1, 'must not be empty') },
  model: { placeholder: 'name', description: 'architecture: lenet, or a model added with registerModel (lenet-apb: deprecated spelling of --model lenet --apb naive)', schema: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase model name such as lenet'), default: 'lenet' },
  apb: { placeholder: 'variant', description: 'APB kind replacing the biases of the fully connected layers: naive | multimodal (default: none, a classical model)', schema: z.enum(['naive', 'multimodal']) },
  memories: { placeholder: 'h', description: 'bias memories of the multimodal APB (naive: 0)', schema: whole.min(0, 'must be at least 0'), default: '0' },
  apbEps: { placeholder: 'e', description: 'APB step size', schema: positive, default: '0.01' },
  apbDirection: { placeholder: 'dir', description: 'APB update direction: ascent | descent', schema: z.enum(['ascent', 'descent']), default: 'ascent' },
  apbMode: { placeholder: 'mode', description: 'APB perturbation across steps: accumulate | reset', schema: z.enum(['accumulate', 'reset']), default: 'accumulate' },
  apbClip: { placeholder: 'c', description: 'l-inf bound of the stored APB perturbation: delta (naive) or m (multimodal) (default: 1/h on m for the budgeted multimodal step, else none)', schema: positive },
  apbMemoryStep: { placeholder: 'step', description: 'multimodal memory step: budgeted (one step moves delta = m W_ap by at most --apb-eps) | fixed (unscaled, earlier versions)', schema: z.enum(['budgeted', 'fixed']), default: 'budgeted' },
  scenario: { placeholder: 'name', description: 'training examples: clean | adversarial | mixed', schema: z.enum(['clean', 'adversarial', 'mixed']), default: 'clean' },
  adversarialSource: { placeholder: 'src', description: 'adversarial examples: online (each batch) | precomputed (once, vs a classical LeNet)', schema: z.enum(['online', 'precomputed']), default: 'online' },
  method: { placeholder: 'name', description: 'adversarial training: standard (FGSM) | pgd (Madry) | fast (FGSM-RS, Wong)', schema: z.enum(['standard', 'pgd', 'fast']), default: 'standard' },
  attackEps: { placeholder: 'e', description: 'eps of the training attack (inputs in [0, 1])', schema: epsilon, default: '0.3' },
  attackEpsRamp: {
    placeholder: 'share',
    description: 'share of training over which the training attack eps rises linearly from 0 to --attack-eps (0: full eps from the start)',
    schema: z.coerce.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1, 'must be at most 1'),
    default: '0',
  },
  pgdSteps: { placeholder: 'n', description: 'steps of the PGD adversarial-training attack', schema: count, default: '10' },
  epochs: { placeholder: 'n', description: 'training epochs', schema: count, default: '10' },
  batchSize: { placeholder: 'b', description: 'batch size', schema: count, default: '128' },
  lr: { placeholder: 'r', description: 'Adam learning rate', schema: positive, default: '0.001' },
  seed: { placeholder: 's', description: 'random seed (data order, initialisation, attacks)', schema: whole.min(0, 'must be at least 0'), default: '1' },
  trainLimit: { placeholder: 'n', description: 'train on n images (stratified; default: all)', schema: count },
  testLimit: { placeholder: 'n', description: 'evaluate on n test images (stratified; default: all)', schema: count },
  dataDir: { placeholder: 'dir', description: 'directory holding the datasets (default: $APB_DATA_DIR, then the cache)', schema: z.string().min(1, 'must not be empty') },
  backend: { placeholder: 'name', description: `backend: ${BACKENDS.join(' | ')}`, schema: z.enum(BACKENDS), default: 'auto' },
  preset: { placeholder: 'name', description: 'reproduction preset the run belongs to: smoke | quick | long | paper', schema: z.enum(['smoke', 'quick', 'long', 'paper']) },
  sourcesDir: { placeholder: 'dir', description: 'folder under which source models (precomputed, transfer: classical LeNets other runs reuse) are kept (default: the sources folder beside --out, OUT/../sources)', schema: z.string().min(1, 'must not be empty') },
} as const satisfies Record<string, ConfigFlag>;

/** The table of `TrainConfig.evaluation`, as `--eval-*` flags. */
export const evaluationFlags = {
  attacks: { placeholder: 'list', description: `attacks of the evaluation, comma-separated: ${evaluationAttackNames().join(',')}`, schema: listOf(attackName), default: 'fgsm,pgd,transfer,square' },
  eps: { placeholder: 'list', description: 'eps budgets of the evaluation, comma-separated (paper: 0.3)', schema: listOf(epsilon), default: '0.3' },
  limit: { placeholder: 'n', description: 'test images for clean/FGSM/transfer/noise (default: --test-limit)', schema: count },
  pgdSteps: { placeholder: 'n', description: 'PGD steps of the evaluation', schema: count, default: '40' },
  pgdRestarts: { placeholder: 'n', description: 'PGD restarts of the evaluation', schema: count, default: '2' },
  pgdLimit: { placeholder: 'n', description: 'images of the fixed seeded subset PGD and transfer run on', schema: count, default: '1000' },
  squareQueries: { placeholder: 'n', description: 'Square attack query budget', schema: count, default: '1000' },
  squareLimit: { placeholder: 'n', description: 'images of the fixed seeded Square subset', schema: count, default: '1000' },
  diagnostics: { placeholder: 'bool', description: 'run the gradient-masking diagnostics: true | false', schema: yesNo, default: 'true' },
  diagnosticsLimit: { placeholder: 'n', description: 'images of the fixed seeded subset the diagnostics use', schema: count, default: '200' },
  transferSeed: { placeholder: 's', description: 'seed of the classical LeNet the transfer attack is crafted on (default: --seed + 1000)', schema: whole.min(0, 'must be at least 0') },
  transferEpochs: { placeholder: 'n', description: 'epochs of the transfer source model (default: --epochs)', schema: count },
  checkpoints: {
    placeholder: 'list',
    description: 'epochs after which training also evaluates the model (without diagnostics), kept as evaluation.history, e.g. 1,2,5,10 (default: none, only after the last epoch)',
    schema: listOf(count),
  },
} as const satisfies Record<string, ConfigFlag>;

/** Fields of {@link trainFlags}: the top-level `TrainConfig` fields, `evaluation` aside. */
export type TrainFlagKey = keyof typeof trainFlags;
/** Fields of {@link evaluationFlags}. */
export type EvaluationFlagKey = keyof typeof evaluationFlags;

// Both directions, both tables: a config field without a flag, or a flag without a field, fails typecheck.
type Mismatch<Config, Key extends PropertyKey> = [Exclude<keyof Config, Key>, Exclude<Key, keyof Config>];
const trainTableMatches: Mismatch<TrainConfig, TrainFlagKey | 'evaluation'> extends [never, never] ? true : Mismatch<TrainConfig, TrainFlagKey | 'evaluation'> = true;
const evaluationTableMatches: Mismatch<EvaluationPlan, EvaluationFlagKey> extends [never, never] ? true : Mismatch<EvaluationPlan, EvaluationFlagKey> = true;
const backendsMatch: [Exclude<BackendChoice, (typeof BACKENDS)[number]>, Exclude<(typeof BACKENDS)[number], BackendChoice>] extends [never, never] ? true : false = true;
// And every flag's parsed value fits its field's type.
type TrainFlagOutputs = { [K in TrainFlagKey]: z.output<(typeof trainFlags)[K]['schema']> };
type EvaluationFlagOutputs = { [K in EvaluationFlagKey]: z.output<(typeof evaluationFlags)[K]['schema']> };
const trainValuesFit: TrainFlagOutputs extends Pick<TrainConfig, TrainFlagKey> ? true : false = true;
const evaluationValuesFit: EvaluationFlagOutputs extends EvaluationPlan ? true : false = true;
void trainValuesFit;
void evaluationValuesFit;
void backendsMatch;
void trainTableMatches;
void evaluationTableMatches;

/** The commander key of an evaluation field: `pgdSteps` -> `evalPgdSteps` (flag `--eval-pgd-steps`). */
export function evaluationOptionKey(key: EvaluationFlagKey): string {
  return `eval${key[0]?.toUpperCase() ?? ''}${key.slice(1)}`;
}

function optional<Table extends Record<string, ConfigFlag>>(table: Table) {
  return Object.fromEntries(Object.entries(table).map(([key, flag]) => [key, flag.schema.optional()])) as {
    [K in keyof Table]: z.ZodOptional<Table[K]['schema']>;
  };
}

/** The zod schema of every `apb train` config flag, as commander names them (all optional). */
export const trainFlagsSchema = z.strictObject({
  ...optional(trainFlags),
  ...(Object.fromEntries(
    Object.entries(evaluationFlags).map(([key, flag]) => [evaluationOptionKey(key as EvaluationFlagKey), flag.schema.optional()]),
  ) as { [K in EvaluationFlagKey as `eval${Capitalize<K>}`]: z.ZodOptional<(typeof evaluationFlags)[K]['schema']> }),
});

/** Parsed config flags. */
export type TrainFlagValues = z.output<typeof trainFlagsSchema>;

/** Commander options for every row of both tables, in table order. */
export function trainFlagOptions(): Option[] {
  return [
    ...Object.entries(trainFlags).map(([key, flag]) => flagOption(key, flag)),
    ...evaluationFlagOptions(Object.keys(evaluationFlags) as EvaluationFlagKey[]),
  ];
}

/** The commander option of one table row, its default (if any) at the end of its help line. */
export function flagOption(key: string, flag: ConfigFlag): Option {
  return new Option(`${flagNameOf(key)} <${flag.placeholder}>`, flag.default === undefined ? flag.description : `${flag.description} (default: ${flag.default})`);
}

/**
 * The `--eval-*` options of these evaluation fields: `apb train` (evaluation after training) and
 * `apb eval` (evaluation of a saved model) name and default every budget the same way.
 */
export function evaluationFlagOptions(keys: readonly EvaluationFlagKey[]): Option[] {
  return keys.map((key) => flagOption(evaluationOptionKey(key), evaluationFlags[key]));
}

/**
 * Turns parsed flags into the partial config `resolveTrainConfig` takes: flags not given stay out,
 * so the scenarios package's defaults apply.
 */
export function configFromFlags(values: TrainFlagValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(trainFlags)) {
    const value = values[key as TrainFlagKey];
    if (value !== undefined) config[key] = value;
  }
  const evaluation: Record<string, unknown> = {};
  for (const key of Object.keys(evaluationFlags) as EvaluationFlagKey[]) {
    const value = (values as Record<string, unknown>)[evaluationOptionKey(key)];
    if (value !== undefined) evaluation[key] = value;
  }
  if (Object.keys(evaluation).length > 0) config.evaluation = evaluation;
  return config;
}
