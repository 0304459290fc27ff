import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runReproduce } from './reproduce.js';

const dataDir = process.env.APB_DATA_DIR;

describe.runIf(dataDir !== undefined)('apb reproduce --preset smoke, end to end', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-smoke-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains every planned run, writes the report, and skips finished runs on restart', async () => {
    const summary = await runReproduce({ preset: 'smoke', out: dir });
    expect(summary.runs.length).toBeGreaterThan(0);
    expect(summary.runs.filter((run) => run.outcome !== 'complete')).toEqual([]);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain('Preset: smoke.');
    const written = await readFile(join(dir, 'reproduce.json'), 'utf8');
    expect(JSON.parse(written)).toMatchObject({ preset: 'smoke', out: '.', report: { markdown: 'report.md', html: 'report.html' } });
    // Portable folders: neither summary names the machine's path of the folder.
    expect(written).not.toContain(dir);
    expect(await readFile(join(dir, 'reproduction.json'), 'utf8')).not.toContain(dir);

    const again = await runReproduce({ preset: 'smoke', out: dir, report: false });
    expect(again.runs.every((run) => run.outcome === 'skipped')).toBe(true);
  }, 900_000);
});
