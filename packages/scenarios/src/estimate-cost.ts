import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointEpochs } from './checkpoint-evaluation.js';
import { evaluationAttackDefinition } from './evaluation-attacks.js';
import type { RunSpec } from './plan.js';
import { resolveTrainConfig, type EvaluationPlan, type TrainConfig } from './train-config.js';
import { trainRun } from './train-run.js';

/** Training and test images of a data set when the run sets no limit (MNIST and Fashion-MNIST). */
const FULL_SPLITS = { train: 60_000, test: 10_000 };

/**
 * The kind of training a run does, for costing: `clean`, `fgsm-adversarial`, `fgsm-mixed`,
 * `pgd-at`, `fast-at` (precomputed adversarial examples cost a clean epoch plus crafting once,
 * so they count as `clean`), then `/classical`, `/apb` (naive) or `/apb-multimodal-h<h>`.
 */
export function trainingKindOf(config: TrainConfig): string {
  const data =
    config.method === 'pgd' ? 'pgd-at'
    : config.method === 'fast' ? 'fast-at'
    : config.scenario === 'clean' || config.adversarialSource === 'precomputed' ? 'clean'
    : config.scenario === 'adversarial' ? 'fgsm-adversarial'
    : 'fgsm-mixed';
  // A multimodal step costs more with every memory (Adam on W_ap): each h is a kind of its own.
  const model = config.apb === null ? 'classical' : config.apb === 'multimodal' ? `apb-multimodal-h${config.memories}` : 'apb';
  return `${data}/${model}`;
}

/** Measured unit costs, in seconds of one run process with `threads` threads. */
export interface UnitCosts {
  threads: number;
  backend: string;
  /** Seconds per training image per epoch, by {@link trainingKindOf}. */
  trainPerImage: Record<string, number>;
  /** Seconds per evaluated image of each attack (all of a plan's eps together), by {@link evaluationKey}; `clean` is the clean pass and diagnostics. */
  evaluationPerImage: Record<string, Record<string, number>>;
}

/** The part of an evaluation plan that decides its cost per image. */
export function evaluationKey(plan: EvaluationPlan): string {
  const { attacks, eps, pgdSteps, pgdRestarts, squareQueries, diagnostics } = plan;
  return JSON.stringify({ attacks, eps, pgdSteps, pgdRestarts, squareQueries, diagnostics });
}

/** The estimate of one spec. */
export interface SpecEstimate {
  id: string;
  /** Training kind, or `evaluation` for a spec that only evaluates. */
  kind: string;
  epochs: number;
  trainSeconds: number;
  evaluationSeconds: number;
}

/** A plan's estimated cost. */
export interface ReproductionEstimate {
  runs: SpecEstimate[];
  /** Per kind: how many runs and their seconds. */
  kinds: { kind: string; runs: number; seconds: number }[];
  /** Seconds of one run process, all runs one after another. */
  seconds: number;
  /** `seconds` times the threads a run used when measured, in hours. */
  coreHours: number;
  threads: number;
  backend: string;
}

/**
 * Scales measured unit costs to every spec of a plan: training is seconds per image x training
 * images x epochs; an evaluation is, per attack, seconds per image x the images it runs on (its
 * subset limit), once after training and once per checkpoint epoch. An estimate to size a cluster
 * with, not a promise: data loading, saving and the diagnostics' fixed costs are left out.
 */
export function estimateReproduction(specs: RunSpec[], costs: UnitCosts): ReproductionEstimate {
  const runs = specs.map((spec): SpecEstimate => {
    const { config } = spec;
    const testImages = Math.min(config.testLimit ?? FULL_SPLITS.test, config.evaluation.limit ?? Number.POSITIVE_INFINITY);
    const perImage = costs.evaluationPerImage[evaluationKey(config.evaluation)] ?? {};
    const once = Object.entries(perImage).reduce((total, [attack, seconds]) => {
      const limit = attack === 'clean' ? null : (evaluationAttackDefinition(attack)?.subsetLimit?.(config.evaluation) ?? null);
      return total + seconds * Math.min(testImages, limit ?? testImages);
    }, 0);
    if (spec.kind === 'evaluate') return { id: spec.id, kind: 'evaluation', epochs: 0, trainSeconds: 0, evaluationSeconds: once };
    const kind = trainingKindOf(config);
    const trainSeconds = (costs.trainPerImage[kind] ?? 0) * (config.trainLimit ?? FULL_SPLITS.train) * config.epochs;
    return { id: spec.id, kind, epochs: config.epochs, trainSeconds, evaluationSeconds: once * (1 + checkpointEpochs(config.evaluation, config.epochs).length) };
  });
  const kinds = new Map<string, { runs: number; seconds: number }>();
  for (const run of runs) {
    const entry = kinds.get(run.kind) ?? { runs: 0, seconds: 0 };
    kinds.set(run.kind, { runs: entry.runs + 1, seconds: entry.seconds + run.trainSeconds + run.evaluationSeconds });
  }
  const seconds = runs.reduce((total, run) => total + run.trainSeconds + run.evaluationSeconds, 0);
  return {
    runs,
    kinds: [...kinds].map(([kind, entry]) => ({ kind, ...entry })),
    seconds,
    coreHours: (seconds * costs.threads) / 3600,
    threads: costs.threads,
    backend: costs.backend,
  };
}

/** Options of {@link measureUnitCosts}. */
export interface MeasureUnitCostsOptions {
  /** Training images of each measured epoch. Default 2,000. */
  trainImages?: number;
  /** Test images of each measured evaluation. Default 50. */
  testImages?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Attacks crafted on a transfer source cost about what the same attack on the model costs. */
function measurableAttack(name: string): string {
  if (!evaluationAttackDefinition(name)?.needsTransferSource) return name;
  return name.includes('fgsm') ? 'fgsm' : 'pgd';
}

/**
 * Measures the unit costs of a plan's kinds on this machine: one short epoch per training kind
 * (on the plan's data, batch size and backend, evaluation off) and one small evaluation per
 * evaluation plan (transfer attacks measured as the attack they transfer).
 */
export async function measureUnitCosts(specs: RunSpec[], options: MeasureUnitCostsOptions = {}): Promise<UnitCosts> {
  const trainImages = options.trainImages ?? 2000;
  const testImages = options.testImages ?? 50;
  const directory = await mkdtemp(join(tmpdir(), 'apb-estimate-'));
  const costs: UnitCosts = { threads: 1, backend: '', trainPerImage: {}, evaluationPerImage: {} };
  const measure = async (name: string, config: TrainConfig) => {
    const record = await trainRun(config, { outDir: join(directory, name.replace(/\W+/g, '-')), ...(options.signal === undefined ? {} : { signal: options.signal }) });
    costs.threads = record.backend.threads;
    costs.backend = record.backend.name;
    return record;
  };
  const noEvaluation = { attacks: [], diagnostics: false, checkpoints: [] };
  try {
    const trainKinds = new Map<string, TrainConfig>();
    const plans = new Map<string, TrainConfig>();
    for (const spec of specs) {
      if (spec.kind === 'train' && !trainKinds.has(trainingKindOf(spec.config))) trainKinds.set(trainingKindOf(spec.config), spec.config);
      if (!plans.has(evaluationKey(spec.config.evaluation))) plans.set(evaluationKey(spec.config.evaluation), spec.config);
    }
    for (const [kind, config] of trainKinds) {
      const measured = resolveTrainConfig({ ...config, epochs: 1, trainLimit: trainImages, testLimit: testImages, adversarialSource: 'online', evaluation: { ...config.evaluation, ...noEvaluation } });
      const record = await measure(kind, measured);
      costs.trainPerImage[kind] = record.history[0]!.seconds / trainImages;
      options.log?.(`measured ${kind}: ${record.history[0]!.seconds.toFixed(1)} s per epoch of ${trainImages} images`);
    }
    for (const [key, config] of plans) {
      const attacks = [...new Set(config.evaluation.attacks.map(measurableAttack))];
      const plan = { ...config.evaluation, attacks, limit: testImages, pgdLimit: testImages, squareLimit: testImages, diagnosticsLimit: Math.min(config.evaluation.diagnosticsLimit, testImages), checkpoints: [] };
      const measured = resolveTrainConfig({ ...config, model: 'lenet', apb: null, memories: 0, method: 'standard', scenario: 'clean', epochs: 1, trainLimit: 200, testLimit: testImages, evaluation: plan });
      const record = await measure(`evaluation-${plans.size}-${attacks.join('-')}`, measured);
      const perAttack: Record<string, number> = {};
      let attackSeconds = 0;
      for (const entry of record.evaluation?.attacks ?? []) {
        perAttack[entry.attack] = (perAttack[entry.attack] ?? 0) + entry.seconds / Math.max(entry.n, 1);
        attackSeconds += entry.seconds;
      }
      const perImage: Record<string, number> = { clean: Math.max(record.cost.evalSeconds - attackSeconds, 0) / testImages };
      for (const name of config.evaluation.attacks) perImage[name] = perAttack[measurableAttack(name)] ?? 0;
      costs.evaluationPerImage[key] = perImage;
      options.log?.(`measured evaluation ${config.evaluation.attacks.join(',') || 'clean'}: ${record.cost.evalSeconds.toFixed(1)} s on ${testImages} images`);
    }
    return costs;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
