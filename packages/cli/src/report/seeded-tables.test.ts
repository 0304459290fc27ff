import type { RunRecord } from '@apb/scenarios';
import { describe, expect, it } from 'vitest';

import { fixtureRecord, type FixtureRun } from '../testing-internal/fixtures.js';
import { loadPaperResults } from './paper-results.js';
import { collapsedSeeds, figure2Seeded, figure3bSeeded, groupBySeed, seedValue } from './seeded-tables.js';

const withMargin = (record: RunRecord, accuracy: number): RunRecord => ({
  ...record,
  evaluation: { ...record.evaluation!, attacks: [...record.evaluation!.attacks, { attack: 'fgsm-margin', eps: 0.3, accuracy, n: 100, seconds: 1 }] },
});

const seeds = [1, 2, 3];
const run = (overrides: Partial<FixtureRun> & Pick<FixtureRun, 'clean'>, seed: number): RunRecord =>
  fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet', fgsm: { '0.3': 0.1 }, pgd: 0, ...overrides, seed });

describe('seeded tables', () => {
  it('group the seeds of one model and merge a re-evaluation into its seed', () => {
    const trained = run({ model: 'lenet-apb', clean: 0.9, fgsm: { '0.3': 0.2 } }, 1);
    const reEvaluated = { ...withMargin(trained, 0.05), evaluatedFrom: trained.id } as RunRecord;
    const other = run({ model: 'lenet-apb', clean: 0.8, fgsm: { '0.3': 0.3 } }, 2);
    const models = groupBySeed([reEvaluated, trained, other]);
    expect(models).toHaveLength(1);
    expect([...models[0]!.seeds.keys()].sort()).toEqual([1, 2]);
    expect(seedValue(models[0]!.seeds.get(1)!, 'fgsm-margin')).toBe(0.05);
    expect(seedValue(models[0]!.seeds.get(1)!, 'clean')).toBe(0.9);
    expect(seedValue(models[0]!.seeds.get(2)!, 'fgsm-margin')).toBeNull();
  });

  it('mark a model that did not train as collapsed at that seed, and only there', () => {
    const records = [
      ...seeds.map((seed) => run({ clean: 0.95 }, seed)),
      run({ model: 'lenet-apb', apb: 'multimodal', memories: 2500, clean: 0.1135, fgsm: { '0.3': 0.1135 } }, 1),
      run({ model: 'lenet-apb', apb: 'multimodal', memories: 2500, clean: 0.6, fgsm: { '0.3': 0.2 } }, 2),
      run({ model: 'lenet-apb', apb: 'multimodal', memories: 2500, clean: 0.94, fgsm: { '0.3': 0.2 } }, 3),
    ];
    const collapsed = collapsedSeeds(groupBySeed(records));
    expect([...collapsed].sort()).toEqual(['mnist/clean/standard/multimodal/2500/s1', 'mnist/clean/standard/multimodal/2500/s2']);
  });

  it('test Figure 3b\'s statement by paired differences and leave collapsed models out of it', () => {
    const records = [
      ...seeds.map((seed) => run({ clean: 0.95 }, seed)),
      ...seeds.map((seed) => run({ model: 'lenet-apb', clean: 0.95, fgsm: { '0.3': 0.1 + seed / 10 } }, seed)),
      // h = 625 beats naive by 2 points at every seed (a consistent paired difference).
      ...seeds.map((seed) => run({ model: 'lenet-apb', apb: 'multimodal', memories: 625, clean: 0.95, fgsm: { '0.3': 0.12 + seed / 10 } }, seed)),
      // h = 2500 "beats" naive only by predicting one class: collapsed, so not evidence.
      ...seeds.map((seed) => run({ model: 'lenet-apb', apb: 'multimodal', memories: 2500, clean: 0.1, fgsm: { '0.3': 0.9 } }, seed)),
    ];
    const { tables, statements } = figure3bSeeded(records);
    expect(statements).toEqual([expect.objectContaining({ claim: 'mnist: multimodal APB is more FGSM-robust than naive APB (every h)', verdict: 'supported' })]);
    const rows = tables[0]!.rows;
    expect(rows.map((row) => row[1])).toEqual(['0', '625', '2500']);
    expect(rows[2]![6]).toBe('collapsed (3 of 3 seeds)');
    expect(rows[1]![7]).toBe('+2.00 [2.00, 2.00] (3 seeds)');
    expect(tables[1]!.rows.map((row) => row[1])).toEqual(['multimodal h = 625 beats naive', 'multimodal APB is more FGSM-robust than naive APB (every h) (overall)']);
  });

  it('give Figure 2 with intervals and the APB - classical difference per cell', async () => {
    const records = seeds.flatMap((seed) => [
      withMargin(run({ clean: 0.98, fgsm: { '0.3': 0.02 + seed / 100 } }, seed), 0),
      withMargin(run({ model: 'lenet-apb', clean: 0.98, fgsm: { '0.3': 0.01 + seed / 100 } }, seed), 0),
    ]);
    const { tables, statements } = figure2Seeded(records, await loadPaperResults());
    expect(tables[0]!.rows[0]!.slice(0, 5)).toEqual(['mnist', 'clean', 'classical', '98.00% [98.00, 98.00] (3 seeds)', '4.00% [1.52, 6.48] (3 seeds)']);
    expect(tables[1]!.rows[0]!.slice(0, 4)).toEqual(['mnist', 'clean', '0.00 [0.00, 0.00] (3 seeds)', '-1.00 [-1.00, -1.00] (3 seeds)']);
    expect(statements[0]).toMatchObject({ verdict: 'not supported' });
  });
});
