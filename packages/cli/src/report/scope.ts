// What the runs behind a report can show: their preset's reach and the test images actually used.
import type { RunRecord } from '@apb/scenarios';

import { attackFamily } from './report-data.js';

/** How many test images one kind of measurement used, over the report's runs. */
export interface TestImagesUsed {
  /** `clean`, an attack family (`fgsm`, `pgd`, ...) or `worst case`. */
  measure: string;
  /** The distinct counts found in the runs' evaluation records, ascending. */
  sizes: number[];
}

/** The header of a report: what its preset can show and how many test images stand behind it. */
export interface ReportScope {
  /** One sentence per preset among the runs (single runs without a preset get one too). */
  presetNotes: string[];
  /** Test images per measurement, read from the evaluation records (never from the configuration). */
  testImages: TestImagesUsed[];
}

const MEASURE_ORDER = ['clean', 'fgsm', 'fgsm-rs', 'pgd', 'transfer', 'square', 'noise'];
const MEASURE_NAMES: Record<string, string> = { clean: 'clean', fgsm: 'FGSM', 'fgsm-rs': 'FGSM-RS', pgd: 'PGD', transfer: 'transfer', square: 'Square', noise: 'noise' };

const distinct = <T>(values: T[]): T[] => [...new Set(values)];
const orList = (values: (string | number)[]): string => values.join(' or ');

function trainImages(runs: RunRecord[]): string {
  return orList(distinct(runs.map((r) => (r.config.trainLimit === null || r.config.trainLimit === undefined ? 'all' : String(r.config.trainLimit)))));
}

function epochs(runs: RunRecord[]): string {
  return orList(distinct(runs.map((r) => r.config.epochs)).sort((a, b) => a - b));
}

/** What runs at a preset's budget can and cannot support; measured budgets, not the preset's table. */
function presetNote(preset: string | null, runs: RunRecord[], paperEpochs: number): string {
  const budget = `${epochs(runs)} epoch(s) on ${trainImages(runs)} training images`;
  switch (preset) {
    case 'smoke':
      return `Preset smoke proves the pipeline, not the method: ${budget}; its accuracies say nothing about APB or about the paper's claims.`;
    case 'quick':
      return `Preset quick shows early trends, not the paper's results: ${budget} (the paper trains ${paperEpochs}), PGD and Square on subsets of the test set.`;
    case 'paper':
      return `Preset paper trains the paper's budget (${budget}): its numbers can be set against the paper's, within the sample sizes below.`;
    case null:
      return `Single runs without a preset (${budget}): what they show depends on that budget; the paper trains ${paperEpochs} epochs.`;
    default:
      return `Preset ${preset}: ${budget}.`;
  }
}

/**
 * The scope of a report from its complete runs (source models excluded by the caller): one note
 * per preset, and the test-image counts each measurement used.
 */
export function reportScope(runs: RunRecord[], options: { paperEpochs: number }): ReportScope {
  const presets = distinct(runs.map((r) => r.config.preset ?? null));
  const presetNotes = presets.map((preset) => presetNote(preset, runs.filter((r) => (r.config.preset ?? null) === preset), options.paperEpochs));

  const sizes = new Map<string, Set<number>>();
  const add = (measure: string, n: number) => {
    if (!sizes.has(measure)) sizes.set(measure, new Set());
    sizes.get(measure)!.add(n);
  };
  for (const run of runs) {
    if (run.evaluation === undefined) continue;
    add('clean', run.evaluation.clean.n);
    for (const attack of run.evaluation.attacks) add(attackFamily(attack.attack), attack.n);
    for (const worst of run.evaluation.worstCase) add('worst case', worst.n);
  }
  const rank = (measure: string) => {
    const index = MEASURE_ORDER.indexOf(measure);
    return index === -1 ? (measure === 'worst case' ? MEASURE_ORDER.length + 1 : MEASURE_ORDER.length) : index;
  };
  const testImages = [...sizes.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([measure, counts]) => ({ measure, sizes: [...counts].sort((a, b) => a - b) }));
  return { presetNotes, testImages };
}

/** One sentence for the header: the test images behind our accuracies, beside the paper's. */
export function describeTestImages(scope: ReportScope, paperTestImages: number): string {
  if (scope.testImages.length === 0) return `Test images: no evaluated runs yet (the paper: ${paperTestImages}).`;
  const parts = scope.testImages.map(({ measure, sizes }) => `${MEASURE_NAMES[measure] ?? measure} ${orList(sizes)}`);
  return `Test images per run, as evaluated: ${parts.join(', ')} (the paper: ${paperTestImages}); every robustness cell gives its own n.`;
}
