import { planReproduction } from '@apb/scenarios';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatDryRun, runReproduceDryRun, type DryRun } from './reproduce.js';

const dataDir = process.env.APB_DATA_DIR;

describe('apb reproduce --dry-run', () => {
  it('prints every run with its kind and cost, then the cost per kind and the total', () => {
    const dryRun: DryRun = {
      figure: '2',
      preset: 'paper',
      out: '/runs',
      runs: [
        { id: 'a', kind: 'clean/apb', roles: ['figure-2'], epochs: 500, complete: false, hours: 12.34 },
        { id: 'b-eval', kind: 'evaluation', roles: ['figure-3a'], epochs: 0, complete: true, hours: 0.01 },
      ],
      kinds: [{ kind: 'clean/apb', runs: 1, coreHours: 12.34 }],
      coreHours: 12.34,
      hours: 6.17,
      threads: 2,
      backend: 'native',
    };
    expect(formatDryRun(dryRun)).toEqual([
      'apb reproduce --dry-run: figure 2, preset paper, 2 runs (1 already complete in /runs)',
      '  id      kind        epochs  core-hours  roles',
      '  a       clean/apb      500        12.3  figure-2',
      '  b-eval  evaluation       0        done  figure-3a',
      'estimated cost of the runs left, per kind:',
      '  clean/apb     1 runs        12.3 core-hours',
      'total: 12.3 core-hours (6.2 h of one run process with 2 threads, native backend, measured on this machine)',
    ]);
  });

  describe.runIf(dataDir !== undefined)('on the real data', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'apb-dry-run-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('measures the plan\'s kinds and costs every planned run, training nothing in --out', async () => {
      const dryRun = await runReproduceDryRun({ figure: '3a', preset: 'smoke', backend: 'wasm', measureImages: 200, out: dir });
      expect(dryRun.runs.map((run) => run.id)).toEqual(planReproduction({ figure: '3a', preset: 'smoke', overrides: { backend: 'wasm' } }).map((spec) => spec.id));
      expect(dryRun.runs.every((run) => run.hours > 0 && !run.complete)).toBe(true);
      expect(dryRun.kinds.map((kind) => kind.kind).sort()).toEqual(['clean/apb', 'clean/classical', 'evaluation']);
      expect(dryRun.coreHours).toBeCloseTo(dryRun.kinds.reduce((total, kind) => total + kind.coreHours, 0), 10);
      expect(dryRun.coreHours).toBeCloseTo(dryRun.runs.reduce((total, run) => total + run.hours, 0), 10);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
