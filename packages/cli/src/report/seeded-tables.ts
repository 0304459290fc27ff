import type { RunRecord } from '@apb/scenarios';

import { PAPER_DATASETS, PAPER_EPS, PAPER_SCENARIOS, type PaperResults } from './paper-results.js';
import { attackFamily, collapseKind, COLLAPSE_THRESHOLDS, isReEvaluation, PAPER_APB_EPS } from './report-data.js';
import { estimate, formatEstimate, pairedDifference, verdictOf, type Estimate, type Verdict } from './statistics.js';

/**
 * Tables over seeds: every model (a training configuration, seed aside) with the mean and 95%
 * interval of each measurement over its seeds, and the paper's comparisons as paired differences
 * (same seeds). A seed's measurements are those of its training run and of every re-evaluation of
 * the same model (e.g. Figure 3b's FGSM-margin evaluation of the naive APB run).
 */

/** The metrics of the seeded tables: clean accuracy and three attacks at the paper's eps. */
export const SEEDED_METRICS = ['clean', 'fgsm', 'fgsm-margin', 'pgd'] as const;
export type SeededMetric = (typeof SEEDED_METRICS)[number];

/** One model over its seeds. */
export interface SeededModel {
  dataset: string;
  scenario: string;
  method: string;
  apb: 'classical' | 'naive' | 'multimodal';
  memories: number;
  /** The APB step (the paper's is 0.01; the seeded tables compare only models at that step). */
  apbEps: number;
  /** Per seed, every record measuring this model (training run first). */
  seeds: Map<number, RunRecord[]>;
}

/** A model's measurement at one seed, or null when not measured. */
export function seedValue(records: readonly RunRecord[], metric: SeededMetric, eps = PAPER_EPS): number | null {
  if (metric === 'clean') return records.find((record) => record.evaluation !== undefined)?.evaluation?.clean.accuracy ?? null;
  let best: { accuracy: number; n: number } | undefined;
  for (const record of records) {
    for (const attack of record.evaluation?.attacks ?? []) {
      if (attackFamily(attack.attack) !== metric || Math.abs(attack.eps - eps) > 1e-6) continue;
      // The measurement on more images wins when two records hold one.
      if (best === undefined || attack.n > best.n) best = { accuracy: attack.accuracy, n: attack.n };
    }
  }
  return best?.accuracy ?? null;
}

const LOCATION_KEYS = new Set(['evaluation', 'seed', 'dataDir', 'sourcesDir', 'backend']);

/** What makes two runs the same model up to the seed: the training configuration. */
function modelKey(config: RunRecord['config']): string {
  return JSON.stringify(Object.entries(config).filter(([key]) => !LOCATION_KEYS.has(key)));
}

/** Groups complete records (source models excluded by the caller) into models over seeds. */
export function groupBySeed(records: readonly RunRecord[]): SeededModel[] {
  const models = new Map<string, SeededModel>();
  // Training runs first, so each seed's list starts with the record that trained the model.
  const ordered = [...records].sort((a, b) => Number(isReEvaluation(a)) - Number(isReEvaluation(b)));
  for (const record of ordered) {
    const key = modelKey(record.config);
    let model = models.get(key);
    if (model === undefined) {
      const { config } = record;
      model = {
        dataset: config.dataset,
        scenario: config.scenario,
        method: config.method,
        apb: config.apb === null ? 'classical' : config.apb === 'multimodal' ? 'multimodal' : 'naive',
        memories: config.apb === 'multimodal' ? config.memories : 0,
        apbEps: config.apbEps,
        seeds: new Map(),
      };
      models.set(key, model);
    }
    model.seeds.set(record.seed, [...(model.seeds.get(record.seed) ?? []), record]);
  }
  return [...models.values()];
}

/** Per seed, a metric of a model (collapsed seeds left out when `collapsed` is given). */
function bySeed(model: SeededModel, metric: SeededMetric, collapsed?: ReadonlySet<string>): Map<number, number | null> {
  const values = new Map<number, number | null>();
  for (const [seed, records] of model.seeds) {
    if (collapsed?.has(seedId(model, seed))) continue;
    values.set(seed, seedValue(records, metric));
  }
  return values;
}

const seedId = (model: SeededModel, seed: number) => `${model.dataset}/${model.scenario}/${model.method}/${model.apb}/${model.memories}/s${seed}`;

/** The classical LeNet trained the same way (scenario, method) on the same data. */
function classicalTwin(models: readonly SeededModel[], model: SeededModel): SeededModel | undefined {
  return models.find((m) => m.apb === 'classical' && m.dataset === model.dataset && m.scenario === model.scenario && m.method === model.method);
}

/**
 * Seeds of models that did not train, by the report's rule (`COLLAPSE_THRESHOLDS`): a raised
 * `collapsed` diagnostic (or, in older records, clean accuracy below 1.5 x chance), or less than
 * 3/4 of the above-chance clean accuracy of the classical LeNet trained the same way with the same
 * seed. Their numbers are shown but never compared.
 */
export function collapsedSeeds(models: readonly SeededModel[]): Set<string> {
  const collapsed = new Set<string>();
  for (const model of models) {
    if (model.apb === 'classical') continue;
    const twin = classicalTwin(models, model);
    for (const [seed, records] of model.seeds) {
      const clean = seedValue(records, 'clean');
      if (clean === null) continue;
      const flag = records.flatMap((record) => record.evaluation?.diagnostics ?? []).find((d) => d.flag === 'collapsed');
      const reference = twin?.seeds.get(seed);
      const classicalClean = reference === undefined ? null : seedValue(reference, 'clean');
      if (collapseKind(clean, flag, classicalClean) !== null) collapsed.add(seedId(model, seed));
    }
  }
  return collapsed;
}

/** A table as the renderers take it. */
export interface SeededTable {
  title: string;
  caption: string;
  header: string[];
  rows: string[][];
}

/** One of the paper's claims, tested by a paired difference over seeds. */
export interface Statement {
  claim: string;
  difference: Estimate;
  verdict: Verdict;
}

const cell = (value: Estimate) => formatEstimate(value);
const points = (value: Estimate) => formatEstimate(value, { points: true });

function collapseNote(model: SeededModel, collapsed: ReadonlySet<string>): string {
  const count = [...model.seeds.keys()].filter((seed) => collapsed.has(seedId(model, seed))).length;
  return count === 0 ? 'trained' : `collapsed (${count} of ${model.seeds.size} seeds)`;
}

/** Figure 2 over seeds, and the paper's "APB beats classical" per cell as a paired difference. */
export function figure2Seeded(records: readonly RunRecord[], paper: PaperResults): { tables: SeededTable[]; statements: Statement[] } {
  const models = groupBySeed(records).filter((model) => model.method === 'standard' && model.apb !== 'multimodal' && model.apbEps === PAPER_APB_EPS);
  const collapsed = collapsedSeeds(models);
  const rows: string[][] = [];
  const paired: string[][] = [];
  const statements: Statement[] = [];
  for (const dataset of PAPER_DATASETS) {
    for (const scenario of PAPER_SCENARIOS) {
      const classical = models.find((m) => m.dataset === dataset && m.scenario === scenario && m.apb === 'classical');
      const apb = models.find((m) => m.dataset === dataset && m.scenario === scenario && m.apb === 'naive');
      for (const model of [classical, apb]) {
        if (model === undefined) continue;
        rows.push([dataset, scenario, model.apb === 'classical' ? 'classical' : 'apb', ...SEEDED_METRICS.map((metric) => cell(estimate([...bySeed(model, metric).values()]))), collapseNote(model, collapsed)]);
      }
      if (classical === undefined || apb === undefined) continue;
      const cellPaper = paper.figure2[dataset][scenario];
      const differences = SEEDED_METRICS.map((metric) => pairedDifference(bySeed(apb, metric, collapsed), bySeed(classical, metric, collapsed)));
      const fgsm = differences[1]!;
      const paperFgsm = cellPaper.apb.fgsm !== null && cellPaper.classical.fgsm !== null ? cellPaper.apb.fgsm - cellPaper.classical.fgsm : null;
      const paperClean = cellPaper.apb.clean !== null && cellPaper.classical.clean !== null ? cellPaper.apb.clean - cellPaper.classical.clean : null;
      paired.push([dataset, scenario, ...differences.map(points), signedPoints(paperClean), signedPoints(paperFgsm), verdictOf(fgsm)]);
      statements.push({ claim: `${dataset}, ${scenario} scenario: APB is more FGSM-robust than classical LeNet (eps ${PAPER_EPS})`, difference: fgsm, verdict: verdictOf(fgsm) });
    }
  }
  return {
    tables: [
      {
        title: 'Figure 2 over seeds: clean, FGSM, margin-loss FGSM and PGD',
        caption: `Mean over seeds with its 95% interval (Student t) at eps ${PAPER_EPS}; "FGSM" is the paper's attack (cross-entropy), "FGSM (margin)" maximises the logit margin instead and is not fooled by a saturated softmax, PGD is iterative. A model is "collapsed" at a seed when it did not train (clean accuracy below ${COLLAPSE_THRESHOLDS.chanceMultiple} x chance, or keeping less than ${COLLAPSE_THRESHOLDS.classicalShare * 100}% of the above-chance clean accuracy of the classical LeNet trained the same way with that seed); collapsed seeds are left out of every comparison.`,
        header: ['dataset', 'scenario', 'model', 'clean', 'FGSM', 'FGSM (margin)', 'PGD', 'training'],
        rows,
      },
      {
        title: 'APB minus classical, paired by seed',
        caption: 'Differences in points (APB - classical) over the seeds both models have, with their 95% interval; the paper\'s own difference beside them. The verdict tests the paper\'s claim that APB is more robust under FGSM: "supported" when the whole interval is above zero, "not supported" when it is below, else "undecided".',
        header: ['dataset', 'scenario', 'Δ clean', 'Δ FGSM', 'Δ FGSM (margin)', 'Δ PGD', 'paper Δ clean', 'paper Δ FGSM', 'APB more FGSM-robust?'],
        rows: paired,
      },
    ],
    statements,
  };
}

function signedPoints(value: number | null): string {
  if (value === null) return '–';
  return `${value > 0 ? '+' : ''}${(value * 100).toFixed(2)}`;
}

/** One point of the Figure 3b chart over seeds: a metric's mean and interval for one h. */
export interface SeededPoint {
  dataset: string;
  memories: number;
  metric: SeededMetric;
  mean: number;
  low: number | null;
  high: number | null;
  seeds: number;
}

/** Figure 3b's points over seeds for the chart (collapsed seeds left out, as in every comparison). */
export function figure3bPoints(records: readonly RunRecord[]): SeededPoint[] {
  const all = groupBySeed(records).filter((model) => model.method === 'standard' && model.scenario === 'clean' && model.apbEps === PAPER_APB_EPS);
  const collapsed = collapsedSeeds(all);
  const points: SeededPoint[] = [];
  for (const model of all.filter((m) => m.apb !== 'classical')) {
    for (const metric of SEEDED_METRICS) {
      const value = estimate([...bySeed(model, metric, collapsed).values()]);
      if (value.mean === null) continue;
      points.push({ dataset: model.dataset, memories: model.memories, metric, mean: value.mean, low: value.low, high: value.high, seeds: value.n });
    }
  }
  return points.sort((a, b) => a.memories - b.memories);
}

/** The paper's Figure 3b statement per data set: on MNIST multimodal beats naive, on Fashion-MNIST naive beats multimodal. */
const FIGURE_3B_CLAIMS: Record<string, 'multimodal' | 'naive'> = { mnist: 'multimodal', 'fashion-mnist': 'naive' };

/** Figure 3b over seeds: per h, every metric; and the paper's two statements, per h and overall. */
export function figure3bSeeded(records: readonly RunRecord[]): { tables: SeededTable[]; statements: Statement[] } {
  const all = groupBySeed(records).filter((model) => model.method === 'standard' && model.scenario === 'clean' && model.apbEps === PAPER_APB_EPS);
  const collapsed = collapsedSeeds(all);
  const rows: string[][] = [];
  const statements: Statement[] = [];
  const verdictRows: string[][] = [];
  for (const dataset of PAPER_DATASETS) {
    const apb = all.filter((m) => m.dataset === dataset && m.apb !== 'classical').sort((a, b) => a.memories - b.memories);
    const naive = apb.find((m) => m.apb === 'naive');
    for (const model of apb) {
      const vsNaive = naive === undefined || model === naive ? undefined : pairedDifference(bySeed(model, 'fgsm', collapsed), bySeed(naive, 'fgsm', collapsed));
      rows.push([dataset, String(model.memories), ...SEEDED_METRICS.map((metric) => cell(estimate([...bySeed(model, metric).values()]))), collapseNote(model, collapsed), vsNaive === undefined ? '–' : points(vsNaive)]);
    }
    const claim = FIGURE_3B_CLAIMS[dataset];
    if (naive === undefined || claim === undefined) continue;
    const perH: Verdict[] = [];
    for (const model of apb.filter((m) => m.apb === 'multimodal')) {
      const usable = [...model.seeds.keys()].some((seed) => !collapsed.has(seedId(model, seed)));
      if (!usable) continue;
      const difference = claim === 'multimodal'
        ? pairedDifference(bySeed(model, 'fgsm', collapsed), bySeed(naive, 'fgsm', collapsed))
        : pairedDifference(bySeed(naive, 'fgsm', collapsed), bySeed(model, 'fgsm', collapsed));
      const verdict = verdictOf(difference);
      perH.push(verdict);
      verdictRows.push([dataset, claim === 'multimodal' ? `multimodal h = ${model.memories} beats naive` : `naive beats multimodal h = ${model.memories}`, points(difference), verdict]);
    }
    const overall: Verdict = perH.length === 0 ? 'undecided' : perH.every((v) => v === 'supported') ? 'supported' : perH.every((v) => v === 'not supported') ? 'not supported' : 'undecided';
    const text = claim === 'multimodal' ? `${dataset}: multimodal APB is more FGSM-robust than naive APB (every h)` : `${dataset}: naive APB is more FGSM-robust than multimodal APB (every h)`;
    statements.push({ claim: text, difference: estimate([]), verdict: overall });
  }
  return {
    tables: [
      {
        title: 'Figure 3b over seeds: bias memories h',
        caption: `Clean-trained APB LeNets, h = 0 being the naive APB; mean over seeds with its 95% interval at eps ${PAPER_EPS}. The last column is the paired difference of FGSM accuracy from the naive APB (points, same seeds). Collapsed seeds (the model did not train) are left out of every comparison.`,
        header: ['dataset', 'memories h', 'clean', 'FGSM', 'FGSM (margin)', 'PGD', 'training', 'FGSM vs naive'],
        rows,
      },
      {
        title: "Figure 3b: the paper's statements, paired by seed",
        caption: 'The paper (Section 5.3): under FGSM (eps 0.3) multimodal APB works better than naive on MNIST, naive better than multimodal on Fashion-MNIST. Each h is tested by the paired difference of FGSM accuracy: "supported" when its 95% interval is above zero, "not supported" when below, else "undecided"; the statement as a whole is supported only when every trained h supports it.',
        header: ['dataset', 'statement', 'difference (points)', 'verdict'],
        rows: [...verdictRows, ...statements.map((s) => [s.claim.split(':')[0]!, `${s.claim.split(': ')[1]!} (overall)`, '–', s.verdict])],
      },
    ],
    statements,
  };
}
