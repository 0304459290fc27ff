import { describe, expect, it } from 'vitest';

import { fixtureRecord, fixtureReproduction } from '../testing-internal/fixtures.js';
import { renderCharts } from './charts.js';
import { loadPaperResults } from './paper-results.js';
import { renderMarkdown } from './render-markdown.js';
import { attackFamily, buildReportData } from './report-data.js';

const found = (runs = fixtureReproduction()) => runs.map((run) => ({ path: `${fixtureRecord(run).id}/run.json`, record: fixtureRecord(run) }));

describe('buildReportData', () => {
  it('puts our Figure 2 numbers beside the paper’s for every dataset, scenario and model', async () => {
    const data = buildReportData(found(), await loadPaperResults());
    expect(data.figure2).toHaveLength(12);
    const row = data.figure2.find((r) => r.dataset === 'mnist' && r.scenario === 'clean' && r.model === 'apb');
    expect(row?.paperClean).toBe(0.9917);
    expect(row?.clean).toEqual({ value: 0.91, runs: 1 });
    expect(row?.fgsm).toEqual({ value: 0.6, runs: 1 });
  });

  it('averages runs that differ only by seed and says how many', async () => {
    const base = { dataset: 'mnist', scenario: 'clean', model: 'lenet', fgsm: { '0.3': 0.2 } } as const;
    const data = buildReportData(found([{ ...base, clean: 0.8, seed: 1 }, { ...base, clean: 0.9, seed: 2 }]), await loadPaperResults());
    const row = data.figure2.find((r) => r.dataset === 'mnist' && r.scenario === 'clean' && r.model === 'classical');
    expect(row?.clean.runs).toBe(2);
    expect(row?.clean.value).toBeCloseTo(0.85, 10);
  });

  it('lists cells more than five points away from the paper as disagreements', async () => {
    const data = buildReportData(found(), await loadPaperResults());
    // MNIST clean APB FGSM: paper 98.88%, fixture 60%.
    const hit = data.disagreements.find((d) => d.what.startsWith('Figure 2, mnist, clean scenario, apb, FGSM'));
    expect(hit).toEqual(expect.objectContaining({ paper: 0.9888, ours: 0.6 }));
    // MNIST clean classical clean accuracy: paper 99.01%, fixture 90%: 9 points, listed; fashion 89.17% vs 90%: not.
    expect(data.disagreements.some((d) => d.what === 'Figure 2, fashion-mnist, clean scenario, classical, clean accuracy')).toBe(false);
  });

  it('computes the cost ratio of clean APB training against classical FGSM adversarial training', async () => {
    const data = buildReportData(found(), await loadPaperResults());
    const mixed = data.costRatios.find((r) => r.dataset === 'fashion-mnist' && r.versus.includes('mixed'));
    // 12 s over 2 epochs vs 20 s over 2 epochs; 16 passes vs 32.
    expect(mixed?.timeRatio).toBeCloseTo(0.6, 10);
    expect(mixed?.passRatio).toBeCloseTo(0.5, 10);
  });

  it('reads Figure 3a from the APB clean run and Figure 3b from runs grouped by memories', async () => {
    const data = buildReportData(found(), await loadPaperResults());
    const point = data.figure3a.find((p) => p.dataset === 'mnist' && p.x === 0.1);
    expect(point?.ours.value).toBe(0.7);
    expect(data.figure3a.find((p) => p.dataset === 'mnist' && p.x === 0.15)?.ours.value).toBeNull();
    expect(data.figure3b.find((p) => p.dataset === 'mnist' && p.x === 625)?.ours.value).toBe(0.5);
    expect(data.figure3b.find((p) => p.dataset === 'mnist' && p.x === 0)?.ours.value).toBe(0.6);
  });

  it('takes Figure 3a from the eps sweep of the clean APB model and keeps it out of Figure 2 and the costs', async () => {
    const base = { dataset: 'mnist', scenario: 'clean', model: 'lenet-apb', clean: 0.9 } as const;
    const training = { path: 'mnist-clean-apb-naive-s1/run.json', record: fixtureRecord({ ...base, fgsm: { '0.3': 0.5 } }) };
    const sweepRecord = { ...fixtureRecord({ ...base, fgsm: { '0.1': 0.8, '0.3': 0.4 } }), evaluatedFrom: 'mnist-clean-apb-naive-s1' };
    const sweep = { path: 'mnist-clean-apb-naive-s1-fgsm-sweep/run.json', record: sweepRecord };
    // Figure 3b's re-evaluation of the same model measures eps 0.3 only: not part of the sweep.
    const figure3b = { path: 'mnist-clean-apb-naive-s1-figure-3b/run.json', record: { ...fixtureRecord({ ...base, fgsm: { '0.3': 0.1 } }), evaluatedFrom: 'mnist-clean-apb-naive-s1' } };
    const data = buildReportData([training, sweep, figure3b], await loadPaperResults());
    expect(data.figure2.find((r) => r.dataset === 'mnist' && r.scenario === 'clean' && r.model === 'apb')?.fgsm).toEqual({ value: 0.5, runs: 1 });
    expect(data.figure3a.find((p) => p.dataset === 'mnist' && p.x === 0.3)?.ours).toEqual({ value: 0.4, runs: 1 });
    expect(data.cost).toHaveLength(1);
    expect(data.robustness).toHaveLength(1);
    expect(data.diagnostics).toHaveLength(1);
  });

  it('leaves source models under sources/ out of every table', async () => {
    const source = { path: 'sources/mnist-clean-classical-s1001-e1-nall/run.json', record: fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet', clean: 0.97, fgsm: {}, seed: 1001 }) };
    const data = buildReportData([...found(), source], await loadPaperResults());
    expect(data.figure2.find((r) => r.dataset === 'mnist' && r.scenario === 'clean' && r.model === 'classical')?.clean.runs).toBe(1);
    expect(data.robustness.some((r) => r.path.startsWith('sources/'))).toBe(false);
    expect(data.provenance.at(-1)).toBe('Runs: 14 found, 14 complete; 1 source models (transfer surrogate, precomputed-example victim) left out of the tables.');
  });

  it('keeps interrupted and failed runs out of the tables but lists them', async () => {
    const data = buildReportData(found([{ dataset: 'mnist', scenario: 'clean', model: 'lenet', clean: 0.5, fgsm: {}, status: 'failed' }]), await loadPaperResults());
    expect(data.complete).toHaveLength(0);
    expect(data.incomplete).toHaveLength(1);
    expect(data.robustness).toHaveLength(0);
  });
});

describe('collapsed runs', () => {
  const mnist = { dataset: 'mnist', scenario: 'clean' } as const;
  const classical = { ...mnist, model: 'lenet', clean: 0.9, fgsm: { '0.3': 0.05 } } as const;
  const multimodal = (memories: number, clean: number, collapsedFlag?: boolean) => {
    const record = fixtureRecord({ ...mnist, model: 'lenet-apb', apb: 'multimodal', memories, clean, fgsm: { '0.3': clean } });
    if (collapsedFlag !== undefined && record.evaluation !== undefined) {
      record.evaluation.diagnostics.unshift({ flag: 'collapsed', raised: collapsedFlag, detail: 'recorded', values: { cleanAccuracy: clean, chance: 0.1, classes: 10, n: 100 } });
    }
    return { path: `${record.id}/run.json`, record };
  };

  it('marks runs near chance or far below the classical model, and keeps them out of every comparison', async () => {
    const runs = [
      ...found([classical]),
      multimodal(625, 0.88), // alive: 0.88 against 0.9
      multimodal(2500, 0.1135, true), // the recorded flag
      multimodal(5625, 0.1), // recorded before the flag existed: judged by the 1.5 x chance rule
      multimodal(10_000, 0.65, false), // 0.65 < 0.1 + 0.75 (0.9 - 0.1) = 0.7: far below the classical LeNet
    ];
    const data = buildReportData(runs, await loadPaperResults());
    expect(data.collapsed.map((c) => c.id)).toEqual(['mnist-clean-apb-multimodal-h2500-s1', 'mnist-clean-apb-multimodal-h5625-s1', 'mnist-clean-apb-multimodal-h10000-s1']);
    expect(data.collapsed[0]?.reason).toBe('clean accuracy 11.35%, near chance');
    expect(data.collapsed[2]?.reason).toBe('clean accuracy 65.00%, far below the classical LeNet trained the same way (90.00%)');
    const point = (h: number) => data.figure3b.find((p) => p.dataset === 'mnist' && p.x === h)?.ours;
    expect(point(625)).toEqual({ value: 0.88, runs: 1 });
    for (const h of [2500, 5625, 10_000]) expect(point(h)).toEqual({ value: null, runs: 0 });
    const row = data.robustness.find((r) => r.id === 'mnist-clean-apb-multimodal-h2500-s1');
    expect(row).toMatchObject({ clean: 0.1135, fgsm: null, pgd: null, worstCase: null, collapsed: 'clean accuracy 11.35%, near chance' });
    expect(data.robustness.find((r) => r.id === 'mnist-clean-apb-multimodal-h625-s1')?.collapsed).toBeNull();
    expect(data.diagnostics.find((d) => d.id === 'mnist-clean-apb-multimodal-h10000-s1')?.raised).toEqual(['collapsed']);
    const markdown = renderMarkdown(data);
    expect(markdown).toContain('## Collapsed runs (training failed; left out of every comparison, never shown as robustness)');
    expect(markdown).toContain('| mnist-clean-apb-multimodal-h2500-s1 | 0.3 | 11.35% (n=100) | collapsed | collapsed | collapsed | collapsed | collapsed | collapsed |');
  });

  it('marks a classical run near chance and leaves it out of Figure 2', async () => {
    const data = buildReportData(found([{ ...classical, clean: 0.098 }, { ...classical, clean: 0.92, seed: 2 }]), await loadPaperResults());
    expect(data.collapsed.map((c) => c.id)).toEqual(['mnist-clean-classical-s1']);
    expect(data.figure2.find((r) => r.dataset === 'mnist' && r.scenario === 'clean' && r.model === 'classical')?.clean).toEqual({ value: 0.92, runs: 1 });
  });

  it('compares an APB run only with classical runs trained the same way', async () => {
    const otherEpochs = fixtureRecord(classical);
    otherEpochs.config.epochs = 50;
    const data = buildReportData([{ path: 'c/run.json', record: otherEpochs }, multimodal(625, 0.65)], await loadPaperResults());
    expect(data.collapsed).toEqual([]);
    const sameWay = buildReportData([...found([classical]), multimodal(625, 0.72)], await loadPaperResults());
    expect(sameWay.collapsed).toEqual([]);
  });

  it('shows in Figure 3b the runs of the default memory step where both steps ran at one h', async () => {
    const fixed = multimodal(625, 0.5);
    fixed.record.config.apbMemoryStep = 'fixed';
    fixed.record.id = 'mnist-clean-apb-multimodal-h625-fixed-step-s1';
    const onlyFixed = multimodal(2500, 0.8);
    onlyFixed.record.config.apbMemoryStep = 'fixed';
    const data = buildReportData([...found([classical]), multimodal(625, 0.88), fixed, onlyFixed], await loadPaperResults());
    const point = (h: number) => data.figure3b.find((p) => p.dataset === 'mnist' && p.x === h)?.ours;
    expect(point(625)).toEqual({ value: 0.88, runs: 1 });
    // Older records (fixed step) still show where nothing newer ran.
    expect(point(2500)).toEqual({ value: 0.8, runs: 1 });
  });
});

describe('attackFamily', () => {
  it('maps recorded attack names to the table columns', () => {
    expect(['fgsm', 'LinfFgsm', 'LinfPgd', 'pgd', 'transfer', 'LinfSquare', 'noise'].map(attackFamily)).toEqual(['fgsm', 'fgsm', 'pgd', 'pgd', 'transfer', 'square', 'noise']);
  });
});

describe('renderCharts', () => {
  it('renders the figures as SVG with one mark per plotted value', async () => {
    const data = buildReportData(found(), await loadPaperResults());
    const charts = await renderCharts(data);
    expect(charts.map((c) => c.id)).toEqual(['figure-2', 'figure-3a', 'figure-3b', 'figure-3b-seeds']);
    for (const chart of charts) expect(chart.svg.startsWith('<svg')).toBe(true);
    const count = (svg: string | undefined, role: string) => (svg?.match(new RegExp(`aria-roledescription="${role}"`, 'g')) ?? []).length;
    // Figure 2: 12 groups x 4 series, minus the paper's one unreadable cell (Fashion-MNIST adversarial APB FGSM).
    expect(count(charts[0]?.svg, 'bar')).toBe(47);
    // Figure 3a: the paper's 2 x 6 points and ours at the 3 eps the fixtures measured, per dataset.
    expect(count(charts[1]?.svg, 'point')).toBe(12 + 2 * 3);
    expect(charts[0]?.svg).toContain('clean (paper)');
    // Figure 3b over seeds, per dataset: naive APB (clean, FGSM, PGD) and h = 625 (clean, FGSM).
    expect(count(charts[3]?.svg, 'point')).toBe(2 * (3 + 2));
  });
});
