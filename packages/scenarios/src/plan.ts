import { ApbError } from '@apb/core';
import { needsTransferSource } from './evaluation-attacks.js';
import { sourceConfigFor, sourceFolderName, type SourceKind } from './sources.js';
import { evaluationPlanSchema, resolveTrainConfig, runIdFor, type EvaluationPlan, type TrainConfig, type TrainConfigInput } from './train-config.js';

/**
 * Which part of the paper a reproduction covers. `all` is the paper's figures; `masking` is our
 * training-length study (is the robustness of clean-trained models real, or gradient masking?).
 */
export type Figure = '2' | '3a' | '3b' | 'all' | 'masking';
/**
 * How much compute a reproduction spends (see README: smoke for CI, quick for a laptop, long for
 * the 100-epoch masking study on a workstation, paper for GPUs).
 */
export type Preset = 'smoke' | 'quick' | 'long' | 'paper';

/** Figure 3a's FGSM budgets and Figure 3b's bias memories (h = 0 is the naive APB). */
export const FIGURE_3A_EPS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3];
export const FIGURE_3B_MEMORIES = [0, 625, 2500, 5625, 10000];
/** The paper's two data sets and three scenarios. */
export const PAPER_DATASETS = ['mnist', 'fashion-mnist'] as const;
export const PAPER_SCENARIOS = ['clean', 'adversarial', 'mixed'] as const;

/** One unit of a reproduction: a training run, or an evaluation of a trained run's model. */
export interface RunSpec {
  /** Unique within a plan; the run's folder relative to the reproduction's `outDir`. */
  id: string;
  kind: 'train' | 'evaluate';
  /** The run's resolved configuration (for `evaluate`: the trained run's, with this evaluation plan). */
  config: TrainConfig;
  /** For `evaluate`: the id of the train spec whose model is evaluated. */
  from?: string;
  /** Ids that must be complete before this one starts. */
  dependsOn: string[];
  /** The ids of the source specs whose models this run uses (their folders under the reproduction's `outDir`). */
  sources?: Partial<Record<SourceKind, string>>;
  /** What the run is for: `figure-2`, `figure-3a`, `figure-3b`, `baseline`, `transfer-source`, `precomputed-source`. */
  roles: string[];
  /**
   * Set by `runReproduction`, not the planner: the run's `run.json` is complete but its saved model
   * is gone (results folders keep records, not weights) and a later spec needs the model, so it is
   * trained again (seeded: the same numbers on the same backend).
   */
  retrainModel?: true;
}

/** Options of {@link planReproduction}. */
export interface PlanOptions {
  figure: Figure;
  preset: Preset;
  /** Where training examples come from in the adversarial and mixed scenarios. Default `online`. */
  adversarialSource?: 'online' | 'precomputed';
  /** Options applied to every run (data location, backend, seed, a custom data set, ...). */
  overrides?: Omit<TrainConfigInput, 'evaluation'>;
  /** Data sets to reproduce on. Default both of the paper's. */
  datasets?: string[];
  /**
   * Seeds: every run of the plan is repeated once per seed (their transfer sources too), so tables
   * can show means and intervals. Default the seed of `overrides`, else 1.
   */
  seeds?: number[];
}

/**
 * The masking study: clean-trained classical LeNet, naive APB LeNet at two APB steps and multimodal
 * APB LeNet ({@link MASKING_MULTIMODAL_MEMORIES} memories), evaluated
 * at these epochs (those below the run's length; the last epoch is always evaluated) with every
 * attack family, cross-entropy and margin-loss apart, white-box, transfer and gradient-free.
 */
export const MASKING_CHECKPOINTS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
export const MASKING_ATTACKS = ['fgsm', 'fgsm-margin', 'pgd', 'pgd-margin', 'transfer-fgsm', 'transfer-pgd', 'square'] as const;
export const MASKING_APB_EPS = [0.01, 0.1];

/**
 * The masking study's multimodal APB: h = 625 memories. In the quick preset's 3-seed Figure 3b no h
 * differs from another or from naive APB (every paired FGSM difference is undecided, within +-3.6
 * points), so there is no best h to take; 625 is the one whose step costs about what the naive
 * APB's does (h = 10,000 takes about twice its CPU time per step: Adam on W_ap).
 */
export const MASKING_MULTIMODAL_MEMORIES = 625;

/**
 * PGD adversarial training raises its eps linearly over the first half of training: at the full
 * eps 0.3 from the first batch, LeNet stays at chance (loss 2.30) for the quick preset's 3 epochs.
 */
export const PGD_AT_EPS_RAMP = 0.5;

/** Seeds a preset runs when none are given: the quick preset compares 3 seeds. */
const PRESET_SEEDS: Partial<Record<Preset, number[]>> = { quick: [1, 2, 3] };

/** The evaluation of Figure 3b's models: the paper's FGSM, beside margin-loss FGSM and PGD at eps 0.3. */
const FIGURE_3B_ATTACKS = ['fgsm', 'fgsm-margin', 'pgd'] as const;

interface PresetSettings {
  train: TrainConfigInput;
  evaluation: Partial<EvaluationPlan>;
  /** The masking study's evaluation, over `evaluation` (it runs seven times per run). */
  masking?: Partial<EvaluationPlan>;
}

/**
 * Budgets per preset. `smoke` proves the pipeline in minutes (CI); `quick` uses the full data with
 * few epochs and 1,000-example PGD/Square subsets (FGSM and clean on all 10,000); `paper` trains
 * the paper's 500 epochs with full-strength attacks (for GPUs).
 */
export const PRESETS: Record<Preset, PresetSettings> = {
  smoke: {
    train: { epochs: 1, trainLimit: 1000, testLimit: 500, batchSize: 50, pgdSteps: 3 },
    evaluation: { pgdSteps: 5, pgdRestarts: 1, pgdLimit: 100, squareQueries: 50, squareLimit: 50, diagnosticsLimit: 20 },
  },
  // Sized for 2 cores: with the native backend a clean full-MNIST epoch takes ~7 s, so the whole
  // quick reproduction is dominated by the evaluations (Square and the diagnostics).
  quick: {
    train: { epochs: 3, batchSize: 128, pgdSteps: 5 },
    evaluation: { pgdSteps: 10, pgdRestarts: 1, pgdLimit: 1000, squareQueries: 100, squareLimit: 500, diagnosticsLimit: 100 },
    masking: { limit: 2000, pgdLimit: 500, squareLimit: 200 },
  },
  // The masking study at 100 epochs on 2 cores: seven evaluations per run on seeded subsets
  // (clean and FGSM on 2,000 test images, PGD and transfer on 500, Square on 200).
  long: {
    train: { epochs: 100, batchSize: 128, pgdSteps: 5 },
    evaluation: { pgdSteps: 10, pgdRestarts: 2, pgdLimit: 1000, squareQueries: 100, squareLimit: 500, diagnosticsLimit: 200 },
    masking: { limit: 2000, pgdLimit: 500, squareLimit: 200 },
  },
  paper: {
    train: { epochs: 500, batchSize: 128, pgdSteps: 10 },
    evaluation: { pgdSteps: 40, pgdRestarts: 5, pgdLimit: null, squareQueries: 5000, squareLimit: 1000, diagnosticsLimit: 1000 },
  },
};

/**
 * The runs that reproduce a figure at a preset, deduplicated and in dependency order (sources
 * first). Figure 2: data sets x scenarios x {classical, APB naive}, plus the PGD-AT and fast-AT
 * baselines; Figure 3a: FGSM at eps 0.05..0.3 on the clean-trained APB model (evaluation only);
 * Figure 3b: bias memories h in {0, 625, 2500, 5625, 10000}, trained on clean data, FGSM 0.3.
 */
export function planReproduction(options: PlanOptions): RunSpec[] {
  if (!(options.preset in PRESETS)) {
    throw new ApbError(`Unknown preset "${String(options.preset)}".`, { code: 'BAD_OPTION', suggestion: 'Use --preset smoke, quick, long or paper.' });
  }
  if (!['2', '3a', '3b', 'all', 'masking'].includes(options.figure)) {
    throw new ApbError(`Unknown figure "${String(options.figure)}".`, { code: 'BAD_OPTION', suggestion: 'Use --figure 2, 3a, 3b, all or masking.' });
  }
  const seeds = options.seeds ?? (options.overrides?.seed !== undefined ? [options.overrides.seed] : (PRESET_SEEDS[options.preset] ?? [1]));
  if (seeds.length === 0 || new Set(seeds).size !== seeds.length || !seeds.every((seed) => Number.isInteger(seed) && seed >= 0)) {
    throw new ApbError(`Seeds must be distinct whole numbers >= 0, got ${seeds.join(',') || 'none'}.`, { code: 'BAD_OPTION', suggestion: 'Pass e.g. --seeds 1,2,3.' });
  }
  const preset = PRESETS[options.preset];
  const evaluation = (overrides: Partial<EvaluationPlan> = {}) => evaluationPlanSchema.parse({ ...preset.evaluation, ...overrides });
  const configFor = (input: TrainConfigInput, plan: EvaluationPlan = evaluation()) =>
    resolveTrainConfig({ ...preset.train, ...options.overrides, ...input, preset: options.preset, evaluation: plan });
  const wants = (figure: Figure) => (options.figure === 'all' && figure !== 'masking') || options.figure === figure;
  const specs = new Map<string, RunSpec>();
  const add = (spec: RunSpec) => {
    const known = specs.get(spec.id);
    if (known) known.roles = [...new Set([...known.roles, ...spec.roles])];
    else specs.set(spec.id, spec);
    return spec.id;
  };
  const addTrain = (config: TrainConfig, role: string) => {
    const sources: Partial<Record<SourceKind, string>> = {};
    if (needsTransferSource(config.evaluation.attacks)) sources.transfer = addSource(config, 'transfer');
    if (config.scenario !== 'clean' && config.adversarialSource === 'precomputed') sources.precomputed = addSource(config, 'precomputed');
    const dependsOn = [sources.transfer, sources.precomputed].filter((id) => id !== undefined);
    return add({ id: runIdFor(config), kind: 'train', config, dependsOn, ...(dependsOn.length > 0 ? { sources } : {}), roles: [role] });
  };
  // The planner schedules the source models: they are specs of their own, trained before the runs using them.
  const addSource = (config: TrainConfig, kind: SourceKind) =>
    add({
      id: `sources/${sourceFolderName(config, kind)}`,
      kind: 'train',
      config: sourceConfigFor(config, kind),
      dependsOn: [],
      roles: [`${kind}-source`],
    });

  const variants: TrainConfig[] = [];
  for (const seed of seeds) {
    for (const dataset of options.datasets ?? PAPER_DATASETS) {
      const apbClean = configFor({ dataset, seed, model: 'lenet-apb', apb: 'naive', scenario: 'clean' });
      if (wants('2')) {
        for (const scenario of PAPER_SCENARIOS) {
          for (const model of ['lenet', 'lenet-apb'] as const) {
            const config = configFor({ dataset, seed, model, scenario, adversarialSource: options.adversarialSource ?? 'online' });
            const from = addTrain(config, 'figure-2');
            // Margin-loss FGSM beside the paper's cross-entropy FGSM, on the same images, without training again.
            const margin = evaluation({ attacks: ['fgsm-margin'], eps: [0.3], diagnostics: false });
            add({ id: `${from}-fgsm-margin`, kind: 'evaluate', config: { ...config, evaluation: margin }, from, dependsOn: [from], roles: ['figure-2'] });
          }
        }
        addTrain(configFor({ dataset, seed, scenario: 'adversarial', method: 'pgd', attackEpsRamp: PGD_AT_EPS_RAMP }), 'baseline');
        addTrain(configFor({ dataset, seed, scenario: 'adversarial', method: 'fast' }), 'baseline');
      }
      if (wants('3a')) {
        const from = addTrain(apbClean, 'figure-2');
        const plan = evaluation({ attacks: ['fgsm', 'fgsm-margin', 'pgd'], eps: FIGURE_3A_EPS, diagnostics: false });
        add({ id: `${from}-fgsm-sweep`, kind: 'evaluate', config: { ...apbClean, evaluation: plan }, from, dependsOn: [from], roles: ['figure-3a'] });
      }
      if (wants('3b')) {
        const plan = evaluation({ attacks: [...FIGURE_3B_ATTACKS], eps: [0.3] });
        // h = 0 is the naive APB model of Figure 2, evaluated again with Figure 3b's attacks, so
        // every point of the figure is measured the same way without training that model twice.
        const from = addTrain(apbClean, 'figure-3b');
        // The classical LeNet trained the same way: a multimodal model far below it did not train.
        addTrain(configFor({ dataset, seed, model: 'lenet', scenario: 'clean' }), 'figure-3b-reference');
        add({ id: `${from}-figure-3b`, kind: 'evaluate', config: { ...apbClean, evaluation: plan }, from, dependsOn: [from], roles: ['figure-3b'] });
        for (const memories of FIGURE_3B_MEMORIES.filter((h) => h > 0)) {
          addTrain(configFor({ dataset, seed, model: 'lenet-apb', apb: 'multimodal', memories, scenario: 'clean' }, plan), 'figure-3b');
        }
      }
      if (wants('masking')) {
        const epochs = configFor({ dataset, seed }).epochs;
        const plan = evaluation({
          ...preset.masking,
          attacks: [...MASKING_ATTACKS],
          eps: [0.3],
          checkpoints: MASKING_CHECKPOINTS.filter((epoch) => epoch < epochs),
        });
        addTrain(configFor({ dataset, seed, model: 'lenet', scenario: 'clean' }, plan), 'masking');
        for (const apbEps of MASKING_APB_EPS) {
          const config = configFor({ dataset, seed, model: 'lenet-apb', apb: 'naive', apbEps, scenario: 'clean' }, plan);
          // Other steps than the paper's are variants: every data set's paper-step runs come first.
          if (apbEps === MASKING_APB_EPS[0]) addTrain(config, 'masking');
          else variants.push(config);
        }
        variants.push(configFor({ dataset, seed, model: 'lenet-apb', apb: 'multimodal', memories: MASKING_MULTIMODAL_MEMORIES, scenario: 'clean' }, plan));
      }
    }
  }
  for (const config of variants) addTrain(config, 'masking');
  return order([...specs.values()]);
}

/** Sources and other dependencies first, otherwise the plan's order. */
function order(specs: RunSpec[]): RunSpec[] {
  const done = new Set<string>();
  const out: RunSpec[] = [];
  const visit = (spec: RunSpec) => {
    if (done.has(spec.id)) return;
    done.add(spec.id);
    for (const id of spec.dependsOn) {
      const dependency = specs.find((candidate) => candidate.id === id);
      if (dependency) visit(dependency);
    }
    out.push(spec);
  };
  specs.filter((spec) => spec.dependsOn.length === 0 && spec.roles.some((role) => role.endsWith('-source'))).forEach(visit);
  specs.forEach(visit);
  return out;
}
