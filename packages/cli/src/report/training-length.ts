import type { CheckpointEvaluation, RunRecord } from '@apb/scenarios';
import type { TopLevelSpec } from 'vega-lite';

import { percent } from '../output.js';
import { PAPER_EPS, type PaperResults } from './paper-results.js';
import { collapseKind } from './report-data.js';
import type { Table } from './render-markdown.js';

/**
 * The training-length (gradient-masking) study: runs evaluated at checkpoints during training
 * (`evaluation.history`), as one table per data set and one chart per data set, accuracy against
 * epoch per attack, one panel per model.
 */

/** The columns of the study, in order: attack name as recorded, and its label. */
export const HISTORY_ATTACKS = [
  ['fgsm', 'FGSM'],
  ['fgsm-margin', 'FGSM (margin)'],
  ['pgd', 'PGD'],
  ['pgd-margin', 'PGD (margin)'],
  ['transfer-fgsm', 'transfer FGSM'],
  ['transfer-pgd', 'transfer PGD'],
  ['square', 'Square'],
] as const;

/** A run with its evaluations over training. */
export interface HistoryRun {
  dataset: string;
  /** e.g. `classical`, `APB naive, eps 0.01`, `APB multimodal h 625, eps 0.01`. */
  model: string;
  seed: number;
  epochs: number;
  history: CheckpointEvaluation[];
  /** The paper's FGSM accuracy (eps 0.3, 500 epochs, clean training) for this model, when it has one. */
  paperFgsm: number | null;
}

function modelLabel(config: RunRecord['config']): string {
  if (config.apb === null) return config.model === 'lenet' ? 'classical' : config.model;
  const kind = config.apb === 'multimodal' ? `multimodal h ${config.memories}` : 'naive';
  return `APB ${kind}, eps ${config.apbEps}`;
}

/** Training runs (not re-evaluations) with a history of at least two evaluations, clean-trained or not. */
export function historyRuns(records: readonly RunRecord[], paper: PaperResults): HistoryRun[] {
  const runs: HistoryRun[] = [];
  const keys = new Map<HistoryRun, number[]>();
  for (const record of records) {
    const history = record.evaluation?.history;
    if (history === undefined || history.length < 2 || 'evaluatedFrom' in record) continue;
    const { config } = record;
    const paperModel = config.apb === null && config.model === 'lenet' ? 'classical' : config.apb === 'naive' && config.apbEps === 0.01 ? 'apb' : null;
    const cell = paperModel !== null && config.scenario === 'clean' && config.method === 'standard' ? paper.figure2[config.dataset as 'mnist']?.clean[paperModel] : undefined;
    runs.push({ dataset: config.dataset, model: modelLabel(config), seed: record.seed, epochs: config.epochs, history, paperFgsm: cell?.fgsm ?? null });
    keys.set(runs.at(-1)!, [config.apb === null ? 0 : config.apb === 'naive' ? 1 : 2, config.memories, config.apbEps]);
  }
  // Classical first, then naive and multimodal APB, each by memories and APB step.
  const byKey = (a: HistoryRun, b: HistoryRun) => {
    const [x, y] = [keys.get(a)!, keys.get(b)!];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  };
  return runs.sort((a, b) => a.dataset.localeCompare(b.dataset) * -1 || byKey(a, b) || a.model.localeCompare(b.model) || a.seed - b.seed);
}

/** Accuracy under `attack` at the paper's eps in one evaluation (else its first eps), or undefined. */
function attackAt(entry: CheckpointEvaluation, attack: string): { accuracy: number; n: number } | undefined {
  const all = entry.attacks.filter((a) => a.attack === attack);
  return all.find((a) => Math.abs(a.eps - PAPER_EPS) < 1e-6) ?? all[0];
}

/** Whether the model at this checkpoint predicts at chance: its attack numbers then measure nothing. */
function collapsedAt(entry: CheckpointEvaluation): boolean {
  return collapseKind(entry.clean.accuracy, undefined, null) === 'chance';
}

/** One table per data set: every run at every evaluated epoch, each attack, softmax saturation and APB size. */
export function trainingLengthTables(runs: readonly HistoryRun[]): Table[] {
  const datasets = [...new Set(runs.map((run) => run.dataset))];
  return datasets.map((dataset) => {
    const own = runs.filter((run) => run.dataset === dataset);
    const seeds = new Set(own.map((run) => run.seed)).size;
    const first = own[0]!.history[0]!;
    const sizes = [`clean on ${first.clean.n} test images`, ...HISTORY_ATTACKS.flatMap(([name, label]) => {
      const result = attackAt(first, name);
      return result === undefined ? [] : [`${label} on ${result.n}`];
    })];
    return {
      title: `Training length: ${dataset}, accuracy under attack (eps ${PAPER_EPS}) after each number of epochs`,
      caption:
        `Clean-trained models evaluated during training (seeded subsets: ${sizes.join(', ')}). ` +
        'Cross-entropy FGSM and PGD that rise while margin-loss, transfer and Square attacks stay low are gradient masking, not robustness. ' +
        '"softmax = 1" is the share of test images whose float32 softmax maximum is exactly 1.0 (zero cross-entropy gradient); ' +
        `"max |delta|" the largest APB bias entry per FC layer. Paper FGSM (500 epochs): ${own
          .filter((run) => run.paperFgsm !== null)
          .map((run) => `${run.model} ${percent(run.paperFgsm)}`)
          .filter((text, index, all) => all.indexOf(text) === index)
          .join(', ') || 'not given'}. collapsed = clean accuracy at chance, attack numbers meaningless.`,
      header: ['model', ...(seeds > 1 ? ['seed'] : []), 'epoch', 'clean', ...HISTORY_ATTACKS.map(([, label]) => label), 'softmax = 1', 'max |delta|'],
      rows: own.flatMap((run) =>
        run.history.map((entry) => [
          run.model,
          ...(seeds > 1 ? [String(run.seed)] : []),
          String(entry.epoch),
          percent(entry.clean.accuracy),
          ...HISTORY_ATTACKS.map(([name]) => {
            const result = attackAt(entry, name);
            if (result === undefined) return '–';
            return collapsedAt(entry) ? 'collapsed' : percent(result.accuracy);
          }),
          percent(entry.softmaxSaturation.share),
          entry.apbDelta.length === 0 ? '–' : entry.apbDelta.map((layer) => layer.maxAbs.toPrecision(3)).join(' / '),
        ]),
      ),
    };
  });
}

const ACCURACY_AXIS = { title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } };

/**
 * Accuracy against epoch (log x) for one data set: one line per attack plus clean accuracy and the
 * softmax-saturated share, one panel per model (and seed), the paper's 500-epoch FGSM as a dashed rule.
 */
export function trainingLengthSpec(runs: readonly HistoryRun[], dataset: string): TopLevelSpec {
  const own = runs.filter((run) => run.dataset === dataset);
  const seeds = new Set(own.map((run) => run.seed)).size;
  const panel = (run: HistoryRun) => (seeds > 1 ? `${run.model}, seed ${run.seed}` : run.model);
  const series = ['clean', ...HISTORY_ATTACKS.map(([, label]) => label), 'softmax = 1 (share)'];
  const values = own.flatMap((run) =>
    run.history.flatMap((entry) => [
      { panel: panel(run), epoch: entry.epoch, series: 'clean', accuracy: entry.clean.accuracy },
      ...HISTORY_ATTACKS.flatMap(([name, label]) => {
        const result = attackAt(entry, name);
        return result === undefined ? [] : [{ panel: panel(run), epoch: entry.epoch, series: label, accuracy: result.accuracy }];
      }),
      { panel: panel(run), epoch: entry.epoch, series: 'softmax = 1 (share)', accuracy: entry.softmaxSaturation.share },
    ]),
  );
  const paperRules = own.filter((run) => run.paperFgsm !== null).map((run) => ({ panel: panel(run), paper: run.paperFgsm }));
  const panels = [...new Set(own.map(panel))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${dataset}: accuracy at eps ${PAPER_EPS} vs training epochs (dashed: the paper's FGSM after 500 epochs)`,
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels } },
    data: { values: [...values, ...paperRules] },
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          transform: [{ filter: 'isValid(datum.series)' }],
          mark: { type: 'line', point: true, tooltip: true },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', scale: { type: 'log' }, title: 'epochs (log scale)' },
            y: { field: 'accuracy', type: 'quantitative', ...ACCURACY_AXIS },
            color: { field: 'series', type: 'nominal', title: null, sort: series },
          },
        },
        {
          transform: [{ filter: 'isValid(datum.paper)' }],
          mark: { type: 'rule', strokeDash: [4, 4], color: 'black' },
          encoding: { y: { field: 'paper', type: 'quantitative' } },
        },
      ],
    },
  };
}
