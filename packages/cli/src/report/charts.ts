import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { RunRecord } from '@apb/scenarios';

import type { CurvePoint, Figure2Row } from './report-data.js';
import type { PaperResults } from './paper-results.js';
import { figure3bPoints, type SeededPoint } from './seeded-tables.js';
import { historyRuns, trainingLengthSpec } from './training-length.js';

/** A chart rendered to a standalone SVG string. */
export interface Chart {
  id: string;
  title: string;
  svg: string;
}

/**
 * Renders a Vega-Lite spec to SVG in Node: compile to Vega, run a headless View (renderer
 * `none`, so no canvas or DOM is needed) and serialise its scenegraph.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vega = compile(spec).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const ACCURACY_AXIS = { title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } };

/** Bars like the paper's Figure 2: per dataset and scenario, classical vs APB, clean and FGSM, paper beside ours. */
export function figure2Spec(rows: Figure2Row[]): TopLevelSpec {
  const values = rows.flatMap((row) =>
    (
      [
        ['clean', 'paper', row.paperClean],
        ['clean', 'ours', row.clean.value],
        ['FGSM', 'paper', row.paperFgsm],
        ['FGSM', 'ours', row.fgsm.value],
      ] as const
    )
      .filter(([, , value]) => value !== null)
      .map(([metric, source, value]) => ({
        dataset: row.dataset,
        scenario: row.scenario,
        model: row.model === 'apb' ? 'APB' : 'classical',
        series: `${metric} (${source})`,
        accuracy: value,
      })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: {
      row: { field: 'dataset', type: 'nominal', title: null, sort: ['mnist', 'fashion-mnist'] },
      column: { field: 'scenario', type: 'nominal', title: 'training scenario', sort: ['clean', 'adversarial', 'mixed'] },
    },
    spec: {
      width: 150,
      height: 140,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'model', type: 'nominal', title: null, sort: ['classical', 'APB'] },
        xOffset: { field: 'series', type: 'nominal', sort: ['clean (paper)', 'clean (ours)', 'FGSM (paper)', 'FGSM (ours)'] },
        y: { field: 'accuracy', type: 'quantitative', ...ACCURACY_AXIS },
        color: {
          field: 'series',
          type: 'nominal',
          title: 'accuracy',
          sort: ['clean (paper)', 'clean (ours)', 'FGSM (paper)', 'FGSM (ours)'],
          scale: { range: ['#9ecae1', '#3182bd', '#fdae6b', '#e6550d'] },
        },
      },
    },
  };
}

/** Curves like the paper's Figure 3: FGSM accuracy against `xTitle`, per dataset, paper dashed. */
export function curveSpec(points: CurvePoint[], xTitle: string): TopLevelSpec {
  const values = points.flatMap((point) =>
    (
      [
        ['paper', point.paper],
        ['ours', point.ours.value],
      ] as const
    )
      .filter(([, value]) => value !== null)
      .map(([source, value]) => ({ dataset: point.dataset, x: point.x, source, accuracy: value })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 360,
    height: 220,
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'accuracy', type: 'quantitative', ...ACCURACY_AXIS },
      color: { field: 'dataset', type: 'nominal' },
      strokeDash: { field: 'source', type: 'nominal', sort: ['ours', 'paper'] },
      shape: { field: 'source', type: 'nominal', sort: ['ours', 'paper'] },
    },
  };
}

const METRIC_LABELS: Record<SeededPoint['metric'], string> = { clean: 'clean', fgsm: 'FGSM', 'fgsm-margin': 'FGSM (margin)', pgd: 'PGD' };

/** Figure 3b over seeds: every metric's mean against h, with its 95% interval as an error bar, per dataset. */
export function figure3bSeedsSpec(points: SeededPoint[]): TopLevelSpec {
  const values = points.map((point) => ({ ...point, h: String(point.memories), metric: METRIC_LABELS[point.metric], low: point.low ?? point.mean, high: point.high ?? point.mean }));
  const order = Object.values(METRIC_LABELS);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { column: { field: 'dataset', type: 'nominal', title: null, sort: ['mnist', 'fashion-mnist'] } },
    spec: {
      width: 300,
      height: 200,
      encoding: {
        x: { field: 'h', type: 'ordinal', title: 'bias memories h (0 = naive APB)', sort: [...new Set(values.map((v) => v.h))] },
        color: { field: 'metric', type: 'nominal', title: 'accuracy (eps 0.3)', sort: order },
      },
      layer: [
        { mark: { type: 'line', point: true, tooltip: true }, encoding: { y: { field: 'mean', type: 'quantitative', ...ACCURACY_AXIS } } },
        { mark: { type: 'rule' }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      ],
    },
  };
}

/** Every chart of the report, rendered. */
export async function renderCharts(data: { figure2: Figure2Row[]; figure3a: CurvePoint[]; figure3b: CurvePoint[]; complete: RunRecord[]; paper: PaperResults }): Promise<Chart[]> {
  const seeded = figure3bPoints(data.complete);
  const histories = historyRuns(data.complete, data.paper);
  const trainingLength: Chart[] = [];
  for (const dataset of [...new Set(histories.map((run) => run.dataset))]) {
    trainingLength.push({
      id: `training-length-${dataset}`,
      title: `Training length, ${dataset}: accuracy under each attack (eps 0.3) vs epochs, per model`,
      svg: await renderSvg(trainingLengthSpec(histories, dataset)),
    });
  }
  return [
    { id: 'figure-2', title: 'Figure 2: clean and FGSM (eps 0.3) accuracy, classical vs APB', svg: await renderSvg(figure2Spec(data.figure2)) },
    { id: 'figure-3a', title: 'Figure 3a: APB trained on clean data, FGSM accuracy vs eps', svg: await renderSvg(curveSpec(data.figure3a, 'FGSM eps')) },
    { id: 'figure-3b', title: 'Figure 3b: FGSM (eps 0.3) accuracy vs bias memories h (0 = naive APB)', svg: await renderSvg(curveSpec(data.figure3b, 'bias memories h')) },
    ...(seeded.length === 0
      ? []
      : [
          {
            id: 'figure-3b-seeds',
            title: 'Figure 3b over seeds: clean, FGSM, margin-loss FGSM and PGD accuracy vs h, mean and 95% interval (collapsed seeds left out)',
            svg: await renderSvg(figure3bSeedsSpec(seeded)),
          },
        ]),
    ...trainingLength,
  ];
}
