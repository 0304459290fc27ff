import type { RunRecord } from '@apb/scenarios';
import { evaluationAttackFamily } from '@apb/scenarios/evaluation-attacks';

import { percent } from '../output.js';
import type { FoundRun } from './collect-runs.js';
import { PAPER_DATASETS, PAPER_EPS, PAPER_SCENARIOS, type PaperResults } from './paper-results.js';

/** Our mean over the matching runs, or null when there is none. */
export interface Measured {
  value: number | null;
  /** Runs averaged (seeds). */
  runs: number;
}

/** One bar group of Figure 2: a dataset, a scenario and a model. */
export interface Figure2Row {
  dataset: string;
  scenario: string;
  model: 'classical' | 'apb';
  paperClean: number | null;
  paperFgsm: number | null;
  clean: Measured;
  fgsm: Measured;
}

/** One point of Figure 3a (FGSM accuracy vs eps) or 3b (vs memories). */
export interface CurvePoint {
  dataset: string;
  x: number;
  paper: number | null;
  ours: Measured;
  /** Margin-loss FGSM and PGD at the same eps, where measured (Figure 3a; else absent). */
  fgsmMargin?: Measured;
  pgd?: Measured;
}

/** One row of the robustness table; accuracies at `eps`. */
export interface RobustnessRow {
  id: string;
  path: string;
  dataset: string;
  eps: number | null;
  clean: number | null;
  fgsm: number | null;
  pgd: number | null;
  transfer: number | null;
  square: number | null;
  noise: number | null;
  worstCase: number | null;
  /** Test images behind each of the accuracies above (null where that accuracy is). */
  n: Record<'clean' | 'fgsm' | 'pgd' | 'transfer' | 'square' | 'noise' | 'worstCase', number | null>;
  /** Why the run counts as collapsed (its attack columns are then null), or null. */
  collapsed: string | null;
}

/** A run whose training failed: shown, marked, and left out of every comparison. */
export interface CollapsedRun {
  id: string;
  path: string;
  reason: string;
}

/** One row of the gradient-masking table: which flags a run raised. */
export interface DiagnosticsRow {
  id: string;
  raised: string[];
  checked: string[];
  details: string[];
}

/** One row of the cost table. */
export interface CostRow {
  id: string;
  dataset: string;
  epochs: number;
  trainSeconds: number;
  secondsPerEpoch: number | null;
  imagesPerSecond: number;
  forwardPasses: number;
  backwardPasses: number;
}

/** Our ratio for the paper's "clean APB training costs 59% of FGSM adversarial training". */
export interface CostRatio {
  dataset: string;
  /** The adversarial-training run it is compared with. */
  versus: string;
  timeRatio: number;
  passRatio: number;
}

/** A place where ours and the paper's differ by more than the tolerance. */
export interface Disagreement {
  what: string;
  paper: number;
  ours: number;
}

/** Everything the Markdown and HTML reports show. */
export interface ReportData {
  generatedAt: string;
  paper: PaperResults;
  runs: FoundRun[];
  complete: RunRecord[];
  incomplete: FoundRun[];
  provenance: string[];
  figure2: Figure2Row[];
  figure3a: CurvePoint[];
  figure3b: CurvePoint[];
  robustness: RobustnessRow[];
  diagnostics: DiagnosticsRow[];
  collapsed: CollapsedRun[];
  cost: CostRow[];
  costRatios: CostRatio[];
  disagreements: Disagreement[];
  tolerance: number;
  /** What each gradient-masking flag means (from `@apb/attacks`), for the diagnostics caption. */
  flagMeanings: Record<string, string>;
}

/** What `apb reproduce` recorded about the reproduction in the report's folder (`reproduce.json`). */
export interface ReproductionInfo {
  preset: string;
  figure: string;
  /** Wall time of every invocation, summed. */
  totalSeconds: number;
  /** Older summaries record no figure or seeds per invocation. */
  invocations: { figure?: string; seeds?: number[] }[];
}

/** Differences larger than this (absolute, in accuracy) are listed as disagreements. */
export const DISAGREEMENT_TOLERANCE = 0.05;

/**
 * When a run counts as collapsed. `chanceMultiple` is the `collapsed` diagnostic's threshold (used
 * for runs recorded before it existed); `classicalShare`: an APB run that keeps less than this share
 * of its classical sibling's accuracy above chance (same data set, scenario, method, epochs and
 * training images) failed to train, e.g. below 76% when the classical LeNet has 98% on 10 classes,
 * 24 points down, where the paper reports APB within a point of classical on clean data.
 */
export const COLLAPSE_THRESHOLDS = { chanceMultiple: 1.5, classicalShare: 0.75 } as const;

/** Classes of the official data sets, for runs whose record does not say. */
const OFFICIAL_CLASSES = 10;

/** Why `record` counts as collapsed, or null; `trained` are the runs it may be compared with. */
/**
 * Which collapse rule a clean accuracy meets, given the run's `collapsed` diagnostic (absent in
 * records older than the flag) and the clean accuracy of the classical LeNet trained the same way
 * (null: none to compare with): `chance`, `classical`, or null when the run trained.
 */
export function collapseKind(
  clean: number,
  flag: { raised: boolean; values: Record<string, number> } | undefined,
  classicalClean: number | null,
): 'chance' | 'classical' | null {
  const chance = 1 / (flag?.values.classes ?? OFFICIAL_CLASSES);
  if (flag?.raised === true) return 'chance';
  if (flag === undefined && clean < COLLAPSE_THRESHOLDS.chanceMultiple * chance) return 'chance';
  if (classicalClean === null) return null;
  return clean < chance + COLLAPSE_THRESHOLDS.classicalShare * (classicalClean - chance) ? 'classical' : null;
}

function collapseReason(record: RunRecord, trained: RunRecord[]): string | null {
  const evaluation = record.evaluation;
  if (evaluation === undefined) return null;
  const clean = evaluation.clean.accuracy;
  const flag = evaluation.diagnostics.find((d) => d.flag === 'collapsed');
  const same = (r: RunRecord): boolean =>
    r.config.model === 'lenet' &&
    r.config.dataset === record.config.dataset &&
    r.config.scenario === record.config.scenario &&
    r.config.method === record.config.method &&
    r.config.adversarialSource === record.config.adversarialSource &&
    r.config.epochs === record.config.epochs &&
    r.config.trainLimit === record.config.trainLimit;
  // Only APB runs are compared with the classical LeNet.
  const classical = record.config.model === 'lenet-apb' ? mean(trained.filter(same).map((r) => r.evaluation?.clean.accuracy ?? null)) : { value: null, runs: 0 };
  switch (collapseKind(clean, flag, classical.value)) {
    case 'chance':
      return `clean accuracy ${percent(clean)}, near chance`;
    case 'classical':
      return `clean accuracy ${percent(clean)}, far below the classical LeNet trained the same way (${percent(classical.value)}${classical.runs > 1 ? `, mean of ${classical.runs}` : ''})`;
    default:
      return null;
  }
}

const EPS_MATCH = 1e-6;

/** The APB step of the paper's experiments. */
export const PAPER_APB_EPS = 0.01;

/**
 * Canonical attack family of a recorded attack name: the family of the evaluation-attack registry
 * (margin-loss variants stay apart), else a guess from the name for results written by other tools
 * (`LinfPgd` -> `pgd`).
 */
export function attackFamily(name: string): string {
  const lower = name.toLowerCase();
  const registered = evaluationAttackFamily(lower);
  if (registered !== undefined) return registered;
  if (lower.includes('pgd')) return 'pgd';
  if (lower.includes('fgsm-rs') || lower === 'fast') return 'fgsm-rs';
  if (lower.includes('fgsm') || lower.includes('fastgradient') || lower === 'fgm') return 'fgsm';
  if (lower.includes('transfer')) return 'transfer';
  if (lower.includes('square')) return 'square';
  if (lower.includes('noise') || lower.includes('uniform') || lower.includes('gaussian')) return 'noise';
  return lower;
}

/** A run's accuracy under an attack family at `eps` with its sample size, or null when it was not measured. */
function attackResult(record: RunRecord, family: string, eps: number): { accuracy: number; n: number } | null {
  return record.evaluation?.attacks.find((a) => attackFamily(a.attack) === family && Math.abs(a.eps - eps) < EPS_MATCH) ?? null;
}

/** A run's accuracy under an attack family at `eps`, or null when it was not measured. */
export function attackAccuracy(record: RunRecord, family: string, eps: number): number | null {
  return attackResult(record, family, eps)?.accuracy ?? null;
}

function mean(values: (number | null)[]): Measured {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return { value: null, runs: 0 };
  return { value: present.reduce((a, b) => a + b, 0) / present.length, runs: present.length };
}

function isStandard(record: RunRecord): boolean {
  return record.config.method === 'standard';
}

/** The paper's classical and (naive) APB models of Figure 2. */
function figure2Model(record: RunRecord): 'classical' | 'apb' | null {
  if (record.config.model === 'lenet') return 'classical';
  // The paper's APB step; other steps (the masking study's 0.1) are no point of the paper's figures.
  if (record.config.model === 'lenet-apb' && record.config.apb === 'naive' && record.config.apbEps === PAPER_APB_EPS) return 'apb';
  return null;
}

/** The eps of the tables: the paper's 0.3 when measured, else the largest eps the run has. */
function tableEps(record: RunRecord): number | null {
  const all = record.evaluation?.attacks.map((a) => a.eps) ?? [];
  if (all.some((eps) => Math.abs(eps - PAPER_EPS) < EPS_MATCH)) return PAPER_EPS;
  return all.length === 0 ? null : Math.max(...all);
}

/** Source models (the transfer attack's surrogate, the precomputed examples' victim) live under `sources/`. */
function isSourceRun(run: FoundRun): boolean {
  return run.path.split(/[\\/]/).slice(0, -1).includes('sources');
}

/** A record written by re-evaluating a trained model (it names the run it was evaluated from). */
export function isReEvaluation(record: RunRecord): boolean {
  return typeof (record as RunRecord & { evaluatedFrom?: unknown }).evaluatedFrom === 'string';
}

function provenance(complete: RunRecord[], found: FoundRun[]): string[] {
  const lines: string[] = [];
  const presets = [...new Set(complete.map((r) => r.config.preset ?? 'none (single runs)'))];
  lines.push(`Preset: ${presets.join(', ')}.`);
  const epochs = [...new Set(complete.map((r) => r.config.epochs))].sort((a, b) => a - b);
  lines.push(`Epochs: ${epochs.join(', ')} (the paper trains 500).`);
  const limits = [...new Set(complete.map((r) => `${r.config.trainLimit ?? 'all'} train / ${r.evaluation === undefined ? 'no' : r.evaluation.n} test images`))];
  lines.push(`Data: ${limits.join('; ')}.`);
  const sources = [...new Set(complete.filter((r) => r.config.scenario !== 'clean').map((r) => r.config.adversarialSource))];
  if (sources.length > 0) lines.push(`Adversarial training examples: ${sources.join(', ')}.`);
  const backends = [...new Set(complete.map((r) => `${r.backend.name} (${r.backend.threads} thread${r.backend.threads === 1 ? '' : 's'})`))];
  lines.push(`Backend: ${backends.join(', ')}; machine: ${[...new Set(complete.map((r) => `${r.machine.cpuModel}, ${r.machine.cpus} cpus`))].join('; ')}.`);
  const sourceCount = found.filter(isSourceRun).length;
  lines.push(`Runs: ${found.length - sourceCount} found, ${complete.length} complete${sourceCount > 0 ? `; ${sourceCount} source models (transfer surrogate, precomputed-example victim) left out of the tables` : ''}.`);
  return lines;
}

/** How the folder was made: the `apb reproduce` calls and their summed wall time. */
function reproductionLine(reproduction: ReproductionInfo): string {
  const minutes = `${(reproduction.totalSeconds / 60).toFixed(1)} minutes of wall time over ${reproduction.invocations.length} invocation(s)`;
  const calls = [
    ...new Set(
      reproduction.invocations.map((invocation) => {
        const seeds = invocation.seeds ?? [1];
        return `--figure ${invocation.figure ?? reproduction.figure}${seeds.length === 1 && seeds[0] === 1 ? '' : ` --seeds ${seeds.join(',')}`}`;
      }),
    ),
  ];
  if (calls.length <= 1) return `apb reproduce --preset ${reproduction.preset} ${calls[0] ?? `--figure ${reproduction.figure}`}: ${minutes}.`;
  return `apb reproduce --preset ${reproduction.preset} (${calls.join('; ')}): ${minutes}.`;
}

/** Turns validated runs and the paper's numbers into the rows of every table and chart. */
export function buildReportData(
  runs: FoundRun[],
  paper: PaperResults,
  options: { now?: Date; reproduction?: ReproductionInfo | undefined; flagMeanings?: Record<string, string> } = {},
): ReportData {
  const now = options.now ?? new Date();
  const completeRuns = runs.filter((run) => run.record.status === 'complete' && !isSourceRun(run));
  const complete = completeRuns.map((run) => run.record);
  const incomplete = runs.filter((run) => run.record.status !== 'complete');
  // Training runs: one per trained model. Re-evaluations (Figure 3a's eps sweep) reuse a trained
  // model and its history, so counting them here would average a model with itself.
  const allTrained = complete.filter((r) => !isReEvaluation(r));
  // A collapsed model "survives" attacks on every example of the class it predicts; its numbers
  // are no measure of robustness, so it is shown as collapsed and compared with nothing.
  const collapsedById = new Map(allTrained.flatMap((r) => {
    const reason = collapseReason(r, allTrained);
    return reason === null ? [] : [[r.id, reason] as const];
  }));
  const isCollapsed = (r: RunRecord): boolean => collapsedById.has(r.id);
  const trained = allTrained.filter((r) => !isCollapsed(r));
  const sweeps = complete.filter((r) => isReEvaluation(r) && !collapsedById.has(String((r as RunRecord & { evaluatedFrom?: unknown }).evaluatedFrom)));

  const figure2: Figure2Row[] = [];
  for (const dataset of PAPER_DATASETS) {
    for (const scenario of PAPER_SCENARIOS) {
      for (const model of ['classical', 'apb'] as const) {
        const matching = trained.filter(
          (r) => r.config.dataset === dataset && r.config.scenario === scenario && isStandard(r) && figure2Model(r) === model,
        );
        const cell = paper.figure2[dataset][scenario][model];
        figure2.push({
          dataset,
          scenario,
          model,
          paperClean: cell.clean,
          paperFgsm: cell.fgsm,
          clean: mean(matching.map((r) => r.evaluation?.clean.accuracy ?? null)),
          fgsm: mean(matching.map((r) => attackAccuracy(r, 'fgsm', PAPER_EPS))),
        });
      }
    }
  }

  const figure3a: CurvePoint[] = [];
  for (const dataset of PAPER_DATASETS) {
    const isApbClean = (r: RunRecord): boolean => r.config.dataset === dataset && r.config.scenario === 'clean' && isStandard(r) && figure2Model(r) === 'apb';
    // The eps sweep of the clean APB model when there is one, else the training runs' own evaluation.
    // Other re-evaluations of that model (Figure 3b's, margin FGSM) measure eps 0.3 only; taking
    // them too would count a seed once per re-evaluation.
    const swept = sweeps.filter((r) => isApbClean(r) && new Set((r.evaluation?.attacks ?? []).filter((a) => a.attack === 'fgsm').map((a) => a.eps)).size > 1);
    const apbClean = swept.length > 0 ? swept : trained.filter(isApbClean);
    paper.figure3a.eps.forEach((eps, index) => {
      const ours = mean(apbClean.map((r) => attackAccuracy(r, 'fgsm', eps)));
      const fgsmMargin = mean(apbClean.map((r) => attackAccuracy(r, 'fgsm-margin', eps)));
      const pgd = mean(apbClean.map((r) => attackAccuracy(r, 'pgd', eps)));
      figure3a.push({ dataset, x: eps, paper: paper.figure3a[dataset][index] ?? null, ours, fgsmMargin, pgd });
    });
  }

  const figure3b: CurvePoint[] = [];
  for (const dataset of PAPER_DATASETS) {
    const apbClean = trained.filter(
      (r) => r.config.dataset === dataset && r.config.scenario === 'clean' && isStandard(r) && r.config.model === 'lenet-apb' && r.config.apbEps === PAPER_APB_EPS,
    );
    paper.figure3b.memories.forEach((memories, index) => {
      const atH = apbClean.filter((r) => (r.config.apb === 'multimodal' ? r.config.memories : 0) === memories);
      // The fixed memory step is another model; it is shown only where no run of the default step is.
      const budgeted = atH.filter((r) => r.config.apbMemoryStep !== 'fixed');
      const matching = budgeted.length > 0 ? budgeted : atH;
      const ours = mean(matching.map((r) => attackAccuracy(r, 'fgsm', PAPER_EPS)));
      figure3b.push({ dataset, x: memories, paper: paper.figure3b[dataset]?.[index] ?? null, ours });
    });
  }

  // Re-evaluations repeat a trained model's id and numbers; Figure 3a shows them.
  const robustness: RobustnessRow[] = completeRuns.filter((run) => !isReEvaluation(run.record)).map(({ record, path }) => {
      const eps = tableEps(record);
      const collapsed = collapsedById.get(record.id) ?? null;
      const results = Object.fromEntries(
        (['fgsm', 'pgd', 'transfer', 'square', 'noise'] as const).map((family) => [family, eps === null || collapsed !== null ? null : attackResult(record, family, eps)]),
      ) as Record<'fgsm' | 'pgd' | 'transfer' | 'square' | 'noise', { accuracy: number; n: number } | null>;
      const worst = eps === null ? undefined : record.evaluation?.worstCase.find((w) => Math.abs(w.eps - eps) < EPS_MATCH);
      const clean = record.evaluation?.clean;
      return {
        id: record.id,
        path,
        dataset: record.config.dataset,
        eps,
        clean: clean?.accuracy ?? null,
        fgsm: results.fgsm?.accuracy ?? null,
        pgd: results.pgd?.accuracy ?? null,
        transfer: results.transfer?.accuracy ?? null,
        square: results.square?.accuracy ?? null,
        noise: results.noise?.accuracy ?? null,
        worstCase: collapsed === null ? (worst?.accuracy ?? null) : null,
        n: {
          clean: clean?.n ?? null,
          fgsm: results.fgsm?.n ?? null,
          pgd: results.pgd?.n ?? null,
          transfer: results.transfer?.n ?? null,
          square: results.square?.n ?? null,
          noise: results.noise?.n ?? null,
          worstCase: collapsed === null ? (worst?.n ?? null) : null,
        },
        collapsed,
      };
  });

  const diagnostics: DiagnosticsRow[] = allTrained
    .filter((r) => r.evaluation !== undefined)
    .map((r) => {
      const flags = r.evaluation?.diagnostics ?? [];
      const row = {
        id: r.id,
        raised: flags.filter((f) => f.raised).map((f) => f.flag),
        checked: flags.map((f) => f.flag),
        details: flags.filter((f) => f.raised).map((f) => `${f.flag}: ${f.detail}`),
      };
      // Collapse the report found (old records, or far below the classical model) is shown like the recorded flag.
      const reason = collapsedById.get(r.id);
      if (reason !== undefined && !row.raised.includes('collapsed')) {
        row.raised.unshift('collapsed');
        row.details.unshift(`collapsed: ${reason}`);
      }
      return row;
    });

  const collapsed: CollapsedRun[] = completeRuns.flatMap(({ record, path }) => {
    const reason = collapsedById.get(record.id);
    return reason === undefined || isReEvaluation(record) ? [] : [{ id: record.id, path, reason }];
  });

  const cost: CostRow[] = allTrained.map((r) => ({
    id: r.id,
    dataset: r.config.dataset,
    epochs: r.history.length,
    trainSeconds: r.cost.trainSeconds,
    secondsPerEpoch: r.history.length === 0 ? null : r.cost.trainSeconds / r.history.length,
    imagesPerSecond: r.cost.imagesPerSecond,
    forwardPasses: r.cost.forwardPasses,
    backwardPasses: r.cost.backwardPasses,
  }));

  const costRatios: CostRatio[] = [];
  for (const dataset of PAPER_DATASETS) {
    const apb = trained.find((r) => r.config.dataset === dataset && r.config.scenario === 'clean' && isStandard(r) && figure2Model(r) === 'apb');
    if (apb === undefined || apb.history.length === 0) continue;
    for (const scenario of ['mixed', 'adversarial'] as const) {
      const versus = trained.find(
        (r) => r.config.dataset === dataset && r.config.scenario === scenario && isStandard(r) && r.config.model === 'lenet' && r.config.adversarialSource === 'online',
      );
      if (versus === undefined || versus.history.length === 0) continue;
      const perEpoch = (r: RunRecord): number => r.cost.trainSeconds / r.history.length;
      const passes = (r: RunRecord): number => r.cost.forwardPasses + r.cost.backwardPasses;
      costRatios.push({
        dataset,
        versus: versus.id,
        timeRatio: perEpoch(apb) / perEpoch(versus),
        passRatio: passes(versus) === 0 ? Number.NaN : passes(apb) / passes(versus),
      });
    }
  }

  const disagreements: Disagreement[] = [];
  const compare = (what: string, paperValue: number | null, ours: Measured): void => {
    if (paperValue === null || ours.value === null) return;
    if (Math.abs(paperValue - ours.value) > DISAGREEMENT_TOLERANCE) disagreements.push({ what, paper: paperValue, ours: ours.value });
  };
  for (const row of figure2) {
    const name = `Figure 2, ${row.dataset}, ${row.scenario} scenario, ${row.model}`;
    compare(`${name}, clean accuracy`, row.paperClean, row.clean);
    compare(`${name}, FGSM accuracy (eps ${PAPER_EPS})`, row.paperFgsm, row.fgsm);
  }
  for (const point of figure3a) compare(`Figure 3a, ${point.dataset}, APB FGSM accuracy at eps ${point.x}`, point.paper, point.ours);

  return {
    generatedAt: now.toISOString(),
    paper,
    runs,
    complete,
    incomplete,
    provenance: [
      ...(options.reproduction === undefined
        ? []
        : [reproductionLine(options.reproduction)]),
      ...provenance(complete, runs),
    ],
    figure2,
    figure3a,
    figure3b,
    robustness,
    diagnostics,
    collapsed,
    cost,
    costRatios,
    disagreements,
    tolerance: DISAGREEMENT_TOLERANCE,
    flagMeanings: options.flagMeanings ?? {},
  };
}
