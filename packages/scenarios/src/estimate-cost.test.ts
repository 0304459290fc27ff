import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateReproduction, evaluationKey, measureUnitCosts, trainingKindOf, type UnitCosts } from './estimate-cost.js';
import { planReproduction, type RunSpec } from './plan.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';
import { resolveTrainConfig } from './train-config.js';

describe('estimateReproduction', () => {
  it('scales seconds per image by training images, epochs and each attack\'s subset, by hand', () => {
    const evaluation = { attacks: ['fgsm', 'pgd'], eps: [0.3], pgdLimit: 100, diagnostics: false };
    const train = resolveTrainConfig({ model: 'lenet-apb', scenario: 'clean', epochs: 3, trainLimit: 1000, testLimit: 500, evaluation: { ...evaluation, checkpoints: [1] } });
    const specs: RunSpec[] = [
      { id: 'a', kind: 'train', config: train, dependsOn: [], roles: [] },
      { id: 'a-eval', kind: 'evaluate', config: train, from: 'a', dependsOn: ['a'], roles: [] },
    ];
    const costs: UnitCosts = {
      threads: 2,
      backend: 'wasm',
      trainPerImage: { 'clean/apb': 0.001 },
      evaluationPerImage: { [evaluationKey(train.evaluation)]: { clean: 0.0002, fgsm: 0.002, pgd: 0.05 } },
    };
    const estimate = estimateReproduction(specs, costs);
    // Training: 0.001 s x 1,000 images x 3 epochs. Evaluation: clean and FGSM on 500, PGD on its 100.
    const once = 0.0002 * 500 + 0.002 * 500 + 0.05 * 100;
    expect(estimate.runs[0]!.trainSeconds).toBeCloseTo(3, 10);
    // Evaluated after epoch 1 (a checkpoint) and after the last epoch.
    expect(estimate.runs[0]!.evaluationSeconds).toBeCloseTo(2 * once, 10);
    expect(estimate.runs[1]).toMatchObject({ kind: 'evaluation', trainSeconds: 0 });
    expect(estimate.runs[1]!.evaluationSeconds).toBeCloseTo(once, 10);
    expect(estimate.seconds).toBeCloseTo(3 + 3 * once, 10);
    expect(estimate.coreHours).toBeCloseTo((2 * (3 + 3 * once)) / 3600, 12);
    expect(estimate.kinds).toEqual([
      { kind: 'clean/apb', runs: 1, seconds: expect.closeTo(3 + 2 * once, 10) as number },
      { kind: 'evaluation', runs: 1, seconds: expect.closeTo(once, 10) as number },
    ]);
  });

  it('names the training kinds of the paper\'s plan, the full data sets counted when a run sets no limit', () => {
    const specs = planReproduction({ figure: '2', preset: 'paper', datasets: ['mnist'] });
    expect([...new Set(specs.map((spec) => trainingKindOf(spec.config)))].sort()).toEqual([
      'clean/apb',
      'clean/classical',
      'fast-at/classical',
      'fgsm-adversarial/apb',
      'fgsm-adversarial/classical',
      'fgsm-mixed/apb',
      'fgsm-mixed/classical',
      'pgd-at/classical',
    ]);
    const trainPerImage = Object.fromEntries(specs.map((spec) => [trainingKindOf(spec.config), 1e-4]));
    const estimate = estimateReproduction(specs, { threads: 1, backend: 'cpu', trainPerImage, evaluationPerImage: {} });
    // 500 epochs of 60,000 images at 0.1 ms each: 3,000 s per training run; re-evaluations train nothing.
    const trained = estimate.runs.filter((run) => run.kind !== 'evaluation');
    expect(trained.length).toBeGreaterThan(0);
    expect(trained.every((run) => Math.abs(run.trainSeconds - 3000) < 1e-6)).toBe(true);
    expect(estimate.runs.filter((run) => run.kind === 'evaluation').every((run) => run.trainSeconds === 0)).toBe(true);
  });

  it('costs each multimodal h as a kind of its own, and measures a plan with multimodal runs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'apb-estimate-test-'));
    try {
      const datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 60, test: 20 });
      const specs = planReproduction({ figure: '3b', preset: 'smoke', datasets: ['synthetic'], overrides: { datasetDir, backend: 'wasm' } });
      const kinds = [...new Set(specs.map((spec) => trainingKindOf(spec.config)))].sort();
      expect(kinds).toEqual(['clean/apb', 'clean/apb-multimodal-h10000', 'clean/apb-multimodal-h2500', 'clean/apb-multimodal-h5625', 'clean/apb-multimodal-h625', 'clean/classical']);
      const costs = await measureUnitCosts(specs, { trainImages: 40, testImages: 10 });
      expect(Object.keys(costs.trainPerImage).sort()).toEqual(kinds);
      expect(Object.values(costs.trainPerImage).every((seconds) => seconds > 0)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
