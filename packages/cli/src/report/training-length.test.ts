import type { CheckpointEvaluation, RunRecord } from '@apb/scenarios';
import { describe, expect, it } from 'vitest';

import { fixtureRecord } from '../testing-internal/fixtures.js';
import { renderSvg } from './charts.js';
import { loadPaperResults } from './paper-results.js';
import { buildReportData } from './report-data.js';
import { historyRuns, trainingLengthSpec, trainingLengthTables } from './training-length.js';

function entry(epoch: number, clean: number, fgsm: number, margin: number, saturated: number, delta: number[]): CheckpointEvaluation {
  const attack = (name: string, accuracy: number, n: number) => ({ attack: name, eps: 0.3, accuracy, n, seconds: 1 });
  return {
    epoch,
    clean: { accuracy: clean, n: 2000 },
    attacks: [attack('fgsm', fgsm, 2000), attack('fgsm-margin', margin, 2000), attack('pgd', margin, 500), attack('transfer-pgd', 0.2, 500)],
    softmaxSaturation: { share: saturated, n: 2000 },
    apbDelta: delta.map((maxAbs, index) => ({ layer: `fc${index + 1}`, maxAbs })),
    seconds: 3,
  };
}

function withHistory(record: RunRecord, history: CheckpointEvaluation[], apbEps = 0.01): RunRecord {
  return { ...record, config: { ...record.config, apbEps, epochs: history.at(-1)!.epoch }, evaluation: { ...record.evaluation!, history } };
}

const classical = withHistory(fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet', clean: 0.99, fgsm: { '0.3': 0.6 } }), [
  entry(1, 0.98, 0.05, 0.01, 0.02, []),
  entry(50, 0.99, 0.6, 0.01, 0.7, []),
]);
const apb = withHistory(fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet-apb', clean: 0.99, fgsm: { '0.3': 0.7 } }), [
  entry(1, 0.98, 0.04, 0.01, 0.01, [0.5, 0.2, 0.1]),
  entry(50, 0.99, 0.7, 0.02, 0.8, [4, 2, 1]),
]);
const collapsed = {
  ...withHistory(fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet-apb', clean: 0.1, fgsm: { '0.3': 0.1 } }), [entry(1, 0.1, 0.1, 0.1, 0, [9]), entry(50, 0.1, 0.1, 0.1, 0, [90])], 0.1),
  id: 'mnist-clean-apb-naive-eps0.1-s1',
};

describe('training-length study in the report', () => {
  it('tabulates every attack at every evaluated epoch, with the saturated share and the APB sizes', async () => {
    const runs = historyRuns([apb, collapsed, classical], await loadPaperResults());
    expect(runs.map((run) => run.model)).toEqual(['classical', 'APB naive, eps 0.01', 'APB naive, eps 0.1']);
    const [table] = trainingLengthTables(runs);
    expect(table!.header).toEqual(['model', 'epoch', 'clean', 'FGSM', 'FGSM (margin)', 'PGD', 'PGD (margin)', 'transfer FGSM', 'transfer PGD', 'Square', 'softmax = 1', 'max |delta|']);
    expect(table!.rows[1]).toEqual(['classical', '50', '99.00%', '60.00%', '1.00%', '1.00%', '–', '–', '20.00%', '–', '70.00%', '–']);
    expect(table!.rows[3]).toEqual(['APB naive, eps 0.01', '50', '99.00%', '70.00%', '2.00%', '2.00%', '–', '–', '20.00%', '–', '80.00%', '4.00 / 2.00 / 1.00']);
    // A model at chance "resists" every attack; the table says so instead of showing robustness.
    expect(table!.rows[5]!.slice(3, 10)).toEqual(['collapsed', 'collapsed', 'collapsed', '–', '–', 'collapsed', '–']);
    expect(table!.caption).toContain('clean on 2000 test images, FGSM on 2000, FGSM (margin) on 2000, PGD on 500, transfer PGD on 500');
    // The paper's 500-epoch FGSM numbers for clean training (MNIST: classical 1.86%, APB 98.88%).
    expect(table!.caption).toMatch(/classical \d+\.\d\d%, APB naive, eps 0.01 98\.88%/);
  });

  it('leaves runs without a history, and re-evaluations, out', async () => {
    const plain = fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet', clean: 0.99, fgsm: { '0.3': 0.6 } });
    const reEvaluation = { ...apb, evaluatedFrom: apb.id } as RunRecord;
    expect(historyRuns([plain, reEvaluation], await loadPaperResults())).toEqual([]);
  });

  it('draws one panel per model with a log epoch axis and the paper as a rule', async () => {
    const runs = historyRuns([classical, apb], await loadPaperResults());
    const spec = trainingLengthSpec(runs, 'mnist') as unknown as { spec: { layer: { encoding: { x?: { scale?: { type: string } } } }[] }; data: { values: Record<string, unknown>[] } };
    expect(spec.spec.layer[0]!.encoding.x!.scale!.type).toBe('log');
    expect(spec.data.values.filter((value) => 'paper' in value).map((value) => value.panel)).toEqual(['classical', 'APB naive, eps 0.01']);
    const svg = await renderSvg(trainingLengthSpec(runs, 'mnist'));
    expect(svg).toContain('epochs (log scale)');
    expect(svg).toContain('APB naive, eps 0.01');
  });

  it('keeps APB models at another step than the paper out of the Figure 2 rows', async () => {
    const data = buildReportData([{ path: 'a/run.json', record: collapsed }], await loadPaperResults());
    expect(data.figure2.find((row) => row.dataset === 'mnist' && row.scenario === 'clean' && row.model === 'apb')!.clean.value).toBeNull();
  });
});
