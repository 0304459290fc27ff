import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { coveredFigures, portableSummaryJson, readPreviousSummary, type ReproduceSummary } from './reproduce.js';

describe('reproduce.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-summary-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written with paths relative to its folder', () => {
    const summary: ReproduceSummary = {
      preset: 'quick',
      figure: 'all',
      out: dir,
      startedAt: 'a',
      finishedAt: 'b',
      seconds: 1,
      totalSeconds: 1,
      invocations: [],
      runs: [{ id: 'sources/x', runJson: join(dir, 'sources/x/run.json'), outcome: 'complete', roles: [] }],
      report: { markdown: join(dir, 'report.md'), html: join(dir, 'report.html') },
    };
    const written = portableSummaryJson(summary);
    expect(written).not.toContain(dir);
    expect(JSON.parse(written)).toMatchObject({ out: '.', runs: [{ runJson: 'sources/x/run.json' }], report: { markdown: 'report.md', html: 'report.html' } });
  });

  it('still reads a summary that names another machine\'s absolute paths, finding each run by its id', async () => {
    await writeFile(
      join(dir, 'reproduce.json'),
      JSON.stringify({
        preset: 'quick',
        figure: 'all',
        out: '/elsewhere/quick',
        invocations: [{ startedAt: 't', seconds: 60, trained: 1, skipped: 0 }],
        runs: [{ id: 'mnist-clean-classical-s1', runJson: '/elsewhere/quick/mnist-clean-classical-s1/run.json', outcome: 'complete', roles: ['figure-2'] }],
      }),
    );
    const previous = await readPreviousSummary(dir, 'quick');
    expect(previous.invocations).toEqual([{ startedAt: 't', seconds: 60, trained: 1, skipped: 0, figure: 'all', preset: 'quick' }]);
    expect(previous.runs.map((run) => run.runJson)).toEqual([join(dir, 'mnist-clean-classical-s1/run.json')]);
    expect(await readPreviousSummary(dir, 'smoke')).toEqual({ invocations: [], runs: [] });
  });

  it('says which figures the invocations cover together', () => {
    expect(coveredFigures(['2', '3a', '3b'])).toBe('all');
    expect(coveredFigures(['all', '3b'])).toBe('all');
    expect(coveredFigures(['3b', '2'])).toBe('2,3b');
  });
});
