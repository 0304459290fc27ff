import { describe, expect, it } from 'vitest';
import { planReproduction, type RunSpec } from './plan.js';

const ids = (specs: RunSpec[]) => specs.map((spec) => spec.id);

describe('planReproduction', () => {
  it('plans Figure 2 as 2 data sets x 3 scenarios x {classical, APB}, two baselines each and one transfer source each', () => {
    const specs = planReproduction({ figure: '2', preset: 'smoke' });
    const trained = specs.filter((spec) => spec.kind === 'train' && spec.roles.includes('figure-2'));
    expect(trained).toHaveLength(12);
    // Each is evaluated again with margin-loss FGSM, beside the paper's cross-entropy FGSM.
    const margin = specs.filter((spec) => spec.kind === 'evaluate' && spec.roles.includes('figure-2'));
    expect(margin.map((spec) => spec.id)).toEqual(trained.map((spec) => `${spec.id}-fgsm-margin`));
    expect(margin.every((spec) => spec.config.evaluation.attacks.join() === 'fgsm-margin' && spec.dependsOn.join() === spec.from)).toBe(true);
    const baselines = specs.filter((spec) => spec.roles.includes('baseline'));
    expect(baselines.map((spec) => spec.config.method)).toEqual(['pgd', 'fast', 'pgd', 'fast']);
    // PGD-AT ramps its eps (at full eps from the start it stays at chance); its id says so.
    expect(baselines.map((spec) => spec.config.attackEpsRamp)).toEqual([0.5, 0, 0.5, 0]);
    expect(baselines[0]!.id).toBe('mnist-adversarial-pgd-at-ramp0.5-classical-s1');
    expect(specs.filter((spec) => spec.roles.includes('transfer-source'))).toHaveLength(2);
    expect(specs).toHaveLength(30);
  });

  it('plans Figure 3a as an evaluation of the clean APB run at six FGSM budgets', () => {
    const specs = planReproduction({ figure: '3a', preset: 'quick', seeds: [1] });
    const sweeps = specs.filter((spec) => spec.kind === 'evaluate');
    expect(sweeps.map((spec) => spec.from)).toEqual(['mnist-clean-apb-naive-s1', 'fashion-mnist-clean-apb-naive-s1']);
    expect(sweeps[0]!.config.evaluation).toMatchObject({ attacks: ['fgsm', 'fgsm-margin', 'pgd'], eps: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3] });
    expect(specs.filter((spec) => spec.kind === 'train' && spec.roles.includes('figure-2'))).toHaveLength(2);
  });

  it('plans Figure 3b as five memory counts per data set, h = 0 being the naive APB run evaluated again with the same attacks', () => {
    const specs = planReproduction({ figure: '3b', preset: 'paper' });
    const trained = specs.filter((spec) => spec.kind === 'train' && spec.roles.includes('figure-3b'));
    expect(trained.map((spec) => spec.config.memories)).toEqual([0, 625, 2500, 5625, 10000, 0, 625, 2500, 5625, 10000]);
    expect(trained[0]!.config.apb).toBe('naive');
    expect(trained.every((spec) => spec.config.epochs === 500 && spec.config.preset === 'paper')).toBe(true);
    const reEvaluated = specs.filter((spec) => spec.kind === 'evaluate');
    expect(reEvaluated.map((spec) => [spec.id, spec.from])).toEqual([
      ['mnist-clean-apb-naive-s1-figure-3b', 'mnist-clean-apb-naive-s1'],
      ['fashion-mnist-clean-apb-naive-s1-figure-3b', 'fashion-mnist-clean-apb-naive-s1'],
    ]);
    const multimodal = trained.filter((spec) => spec.config.memories > 0);
    for (const spec of [...reEvaluated, ...multimodal]) expect(spec.config.evaluation).toMatchObject({ attacks: ['fgsm', 'fgsm-margin', 'pgd'], eps: [0.3] });
    expect(specs.filter((spec) => spec.roles.includes('figure-3b-reference')).map((spec) => spec.id)).toEqual(['mnist-clean-classical-s1', 'fashion-mnist-clean-classical-s1']);
  });

  it('repeats every run once per seed, each seed with its own transfer source', () => {
    const specs = planReproduction({ figure: '3b', preset: 'quick', seeds: [1, 2, 3] });
    expect(new Set(ids(specs)).size).toBe(specs.length);
    expect(specs).toHaveLength(3 * 2 * 8);
    expect([...new Set(specs.filter((spec) => !spec.id.startsWith('sources/')).map((spec) => spec.config.seed))]).toEqual([1, 2, 3]);
    expect(ids(specs).filter((id) => id.startsWith('sources/mnist'))).toEqual([
      'sources/mnist-clean-classical-s1001-e3-nall',
      'sources/mnist-clean-classical-s1002-e3-nall',
      'sources/mnist-clean-classical-s1003-e3-nall',
    ]);
    expect(specs.filter((spec) => spec.config.memories === 10000).map((spec) => spec.id)).toEqual([
      'mnist-clean-apb-multimodal-h10000-s1',
      'fashion-mnist-clean-apb-multimodal-h10000-s1',
      'mnist-clean-apb-multimodal-h10000-s2',
      'fashion-mnist-clean-apb-multimodal-h10000-s2',
      'mnist-clean-apb-multimodal-h10000-s3',
      'fashion-mnist-clean-apb-multimodal-h10000-s3',
    ]);
  });

  it('rejects repeated or negative seeds by name', () => {
    expect(() => planReproduction({ figure: '2', preset: 'smoke', seeds: [1, 1] })).toThrow(/Seeds must be distinct/);
    expect(() => planReproduction({ figure: '2', preset: 'smoke', seeds: [-1] })).toThrow(/Seeds/);
    expect(() => planReproduction({ figure: '2', preset: 'smoke', seeds: [] })).toThrow(/Seeds/);
  });

  it('plans everything once, sources before the runs that need them', () => {
    const specs = planReproduction({ figure: 'all', preset: 'smoke' });
    expect(new Set(ids(specs)).size).toBe(specs.length);
    expect(specs).toHaveLength(30 + 2 + 8 + 2);
    specs.forEach((spec, index) => spec.dependsOn.forEach((id) => expect(ids(specs).indexOf(id)).toBeLessThan(index)));
    const apbClean = specs.find((spec) => spec.id === 'mnist-clean-apb-naive-s1')!;
    expect(apbClean.roles.sort()).toEqual(['figure-2', 'figure-3b']);
    expect(specs.find((spec) => spec.id === 'mnist-clean-classical-s1')!.roles.sort()).toEqual(['figure-2', 'figure-3b-reference']);
  });

  it('adds the precomputed sources when training examples are precomputed, and applies overrides to every run', () => {
    const specs = planReproduction({ figure: '2', preset: 'smoke', adversarialSource: 'precomputed', overrides: { dataDir: '/data', backend: 'wasm' } });
    expect(specs.filter((spec) => spec.roles.includes('precomputed-source'))).toHaveLength(2);
    expect(specs.every((spec) => spec.config.dataDir === '/data' && spec.config.backend === 'wasm')).toBe(true);
    const precomputedRuns = specs.filter((spec) => spec.kind === 'train' && spec.config.adversarialSource === 'precomputed' && spec.config.scenario !== 'clean');
    expect(precomputedRuns).toHaveLength(8);
    expect(precomputedRuns.every((spec) => spec.dependsOn.some((id) => id.includes('clean-classical-s1-')))).toBe(true);
    // Each run names the source specs it trains or evaluates with, so trainRun gets their folders.
    const run = specs.find((spec) => spec.id === 'mnist-adversarial-precomputed-apb-naive-s1')!;
    expect(run.sources).toEqual({ precomputed: 'sources/mnist-clean-classical-s1-e1-n1000', transfer: 'sources/mnist-clean-classical-s1001-e1-n1000' });
    expect(new Set(run.dependsOn)).toEqual(new Set(Object.values(run.sources!)));
    const sources = specs.filter((spec) => spec.roles.some((role) => role.endsWith('-source')));
    expect(sources.every((spec) => spec.sources === undefined && spec.id.startsWith('sources/'))).toBe(true);
  });

  it('runs the quick preset over 3 seeds unless seeds or a seed are given', () => {
    const seedsOf = (specs: RunSpec[]) => [...new Set(specs.filter((spec) => !spec.id.startsWith('sources/')).map((spec) => spec.config.seed))];
    expect(seedsOf(planReproduction({ figure: '3a', preset: 'quick' }))).toEqual([1, 2, 3]);
    expect(seedsOf(planReproduction({ figure: '3a', preset: 'quick', overrides: { seed: 7 } }))).toEqual([7]);
    expect(seedsOf(planReproduction({ figure: '3a', preset: 'smoke' }))).toEqual([1]);
  });

  it('plans the masking study: classical, APB at two steps and multimodal APB (h = 625) per data set, evaluated at checkpoints, apart from all', () => {
    const specs = planReproduction({ figure: 'masking', preset: 'long' });
    expect(ids(specs)).toEqual([
      'sources/mnist-clean-classical-s1001-e100-nall',
      'sources/fashion-mnist-clean-classical-s1001-e100-nall',
      'mnist-clean-classical-s1',
      'mnist-clean-apb-naive-s1',
      'fashion-mnist-clean-classical-s1',
      'fashion-mnist-clean-apb-naive-s1',
      'mnist-clean-apb-naive-eps0.1-s1',
      'mnist-clean-apb-multimodal-h625-s1',
      'fashion-mnist-clean-apb-naive-eps0.1-s1',
      'fashion-mnist-clean-apb-multimodal-h625-s1',
    ]);
    const runs = specs.filter((spec) => spec.roles.includes('masking'));
    for (const spec of runs) {
      expect(spec.config.epochs).toBe(100);
      expect(spec.config.evaluation).toMatchObject({
        checkpoints: [1, 2, 5, 10, 20, 50],
        attacks: ['fgsm', 'fgsm-margin', 'pgd', 'pgd-margin', 'transfer-fgsm', 'transfer-pgd', 'square'],
        limit: 2000,
      });
      expect(spec.sources?.transfer).toMatch(/-e100-nall$/);
    }
    expect(runs.map((spec) => spec.config.apbEps)).toEqual([0.01, 0.01, 0.01, 0.01, 0.1, 0.01, 0.1, 0.01]);
    expect(runs.map((spec) => spec.config.memories)).toEqual([0, 0, 0, 0, 0, 625, 0, 625]);
    expect(planReproduction({ figure: 'masking', preset: 'smoke' })[2]!.config.evaluation.checkpoints).toEqual([]);
    expect(planReproduction({ figure: 'all', preset: 'smoke' }).some((spec) => spec.roles.includes('masking'))).toBe(false);
  });

  it('rejects an unknown preset or figure by name', () => {
    expect(() => planReproduction({ figure: '2', preset: 'huge' as never })).toThrow(/preset "huge"/);
    expect(() => planReproduction({ figure: '4' as never, preset: 'smoke' })).toThrow(/figure "4"/);
  });
});
