import type { RunRecord } from '@apb/scenarios';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureRecord, fixtureReproduction, writeFixtureRuns, type FixtureRun } from '../testing-internal/fixtures.js';
import { runBin } from '../testing-internal/run-bin.js';
import { loadPaperResults } from './paper-results.js';
import { renderMarkdown } from './render-markdown.js';
import { buildReportData } from './report-data.js';
import { describeTestImages, reportScope } from './scope.js';

/** A fixture run evaluated on `clean` test images, its attacks on `attacked` (a subset). */
function sizedRecord(run: FixtureRun, sizes: { preset?: RunRecord['config']['preset']; clean: number; attacked: number; testLimit?: number }): RunRecord {
  const record = fixtureRecord(run);
  const evaluation = record.evaluation!;
  return {
    ...record,
    config: { ...record.config, preset: sizes.preset === undefined ? record.config.preset : sizes.preset, testLimit: sizes.testLimit ?? record.config.testLimit },
    evaluation: {
      ...evaluation,
      n: sizes.clean,
      clean: { ...evaluation.clean, n: sizes.clean },
      attacks: evaluation.attacks.map((attack) => ({ ...attack, n: attack.attack === 'pgd' ? sizes.attacked : sizes.clean })),
      worstCase: evaluation.worstCase.map((worst) => ({ ...worst, n: sizes.attacked })),
    },
  };
}

const mnistApb: FixtureRun = { dataset: 'mnist', scenario: 'clean', model: 'lenet-apb', clean: 0.9, fgsm: { '0.3': 0.6 }, pgd: 0.02 };

describe('reportScope', () => {
  it('says that a smoke report proves the pipeline, not the method, with the budget the runs used', async () => {
    const paper = await loadPaperResults();
    const scope = reportScope([fixtureRecord(mnistApb)], { paperEpochs: paper.setup.epochs });
    expect(scope.presetNotes).toHaveLength(1);
    expect(scope.presetNotes[0]).toMatch(/^Preset smoke proves the pipeline, not the method: 2 epoch\(s\) on 500 training images;/);
  });

  it('gives quick, paper and preset-less runs their own note, one per preset found', () => {
    const quick = sizedRecord(mnistApb, { preset: 'quick', clean: 10_000, attacked: 1000 });
    const single = sizedRecord({ ...mnistApb, seed: 2 }, { preset: null, clean: 100, attacked: 100 });
    const scope = reportScope([quick, single], { paperEpochs: 500 });
    expect(scope.presetNotes).toEqual([
      "Preset quick shows early trends, not the paper's results: 2 epoch(s) on 500 training images (the paper trains 500), PGD and Square on subsets of the test set.",
      'Single runs without a preset (2 epoch(s) on 500 training images): what they show depends on that budget; the paper trains 500 epochs.',
    ]);
  });

  it('reads the test images from the evaluation records, not from the configuration', () => {
    // Configured for 100 test images, evaluated on 40 (e.g. a custom folder holding only 40): 40 is what the numbers are fractions of.
    const record = sizedRecord(mnistApb, { clean: 40, attacked: 20, testLimit: 100 });
    const scope = reportScope([record], { paperEpochs: 500 });
    expect(scope.testImages).toEqual([
      { measure: 'clean', sizes: [40] },
      { measure: 'fgsm', sizes: [40] },
      { measure: 'pgd', sizes: [20] },
      { measure: 'worst case', sizes: [20] },
    ]);
    expect(describeTestImages(scope, 10_000)).toBe('Test images per run, as evaluated: clean 40, FGSM 40, PGD 20, worst case 20 (the paper: 10000); every robustness cell gives its own n.');
  });

  it('lists every size when runs were evaluated on different numbers of images', () => {
    const scope = reportScope([sizedRecord(mnistApb, { clean: 500, attacked: 100 }), sizedRecord({ ...mnistApb, seed: 2 }, { clean: 10_000, attacked: 1000 })], { paperEpochs: 500 });
    expect(scope.testImages.find((entry) => entry.measure === 'clean')?.sizes).toEqual([500, 10_000]);
    expect(describeTestImages(scope, 10_000)).toContain('clean 500 or 10000');
  });

  it('says there is nothing evaluated yet rather than a size', () => {
    expect(describeTestImages(reportScope([], { paperEpochs: 500 }), 10_000)).toBe('Test images: no evaluated runs yet (the paper: 10000).');
  });
});

describe('report tables', () => {
  it('give every robustness cell its sample size', async () => {
    const record = sizedRecord(mnistApb, { clean: 500, attacked: 100 });
    const data = buildReportData([{ path: `${record.id}/run.json`, record }], await loadPaperResults());
    expect(data.robustness[0]?.n).toEqual({ clean: 500, fgsm: 500, pgd: 100, transfer: null, square: null, noise: null, worstCase: 100 });
    const markdown = renderMarkdown(data);
    const row = markdown.split('\n').find((line) => line.startsWith(`| ${record.id} |`));
    // clean 90%, FGSM 60%, PGD 2%, worst case min(60%, 2%); transfer, Square and noise were not run.
    expect(row).toBe(`| ${record.id} | 0.3 | 90.00% (n=500) | 60.00% (n=500) | 2.00% (n=100) | – | – | – | 2.00% (n=100) |`);
  });
});

describe('apb report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-report-scope-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes what a smoke reproduction can show and the test images its runs used into report.md and report.html', async () => {
    await writeFixtureRuns(dir, fixtureReproduction());
    const result = await runBin(['report', dir]);
    expect(result.code, result.stderr).toBe(0);
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    const header = markdown.slice(0, markdown.indexOf('## Where our numbers come from'));
    expect(header).toContain('## What this report can show');
    expect(header).toContain('- Preset smoke proves the pipeline, not the method: 2 epoch(s) on 500 training images;');
    // The fixtures evaluate 100 test images per attack: the header says 100, not the paper's 10,000.
    expect(header).toContain('- Test images per run, as evaluated: clean 100, FGSM 100, PGD 100, worst case 100 (the paper: 10000);');
    expect(markdown).not.toContain('fractions of the 10,000-image test sets');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>What this report can show</h2>');
    expect(html).toContain('<li>Preset smoke proves the pipeline, not the method:');
    expect(html).toContain('<td>60.00% (n=100)</td>');
  }, 60_000);
});
