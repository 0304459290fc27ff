import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { handleError } from '../handle-error.js';
import { fixtureReproduction, writeFixtureRuns } from '../testing-internal/fixtures.js';
import { runReport } from './report.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function oneLineError(error: unknown): string[] {
  const lines: string[] = [];
  handleError(error, { write: (line) => lines.push(line) });
  return lines;
}

describe('runReport', () => {
  it('writes report.md and report.html with the paper’s numbers beside ours', async () => {
    await writeFixtureRuns(dir, fixtureReproduction());
    const result = await runReport({ dir });
    expect(result.charts).toEqual(['figure-2', 'figure-3a', 'figure-3b', 'figure-3b-seeds']);
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain('| mnist | clean | apb | 99.17% | 91.00% | 98.88% | 60.00% |');
    expect(markdown).toContain('Epochs: 2 (the paper trains 500).');
    expect(markdown).toContain('Preset: smoke.');
    // The diagnostics caption explains every flag, from @apb/attacks' own sentences.
    expect(markdown).toMatch(/fgsm-far-above-pgd: the paper's FGSM leaves more than 20 points more accuracy than PGD/);
    expect(markdown).toMatch(/adversarial-above-clean: an attack leaves more than 1 point more accuracy/);
    expect(markdown).toContain('Figure 2, mnist, clean scenario, apb, FGSM accuracy (eps 0.3): paper 98.88%, ours 60.00%');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).toContain('id="figure-3b-seeds"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('states the wall time apb reproduce recorded in reproduce.json', async () => {
    await writeFixtureRuns(dir, fixtureReproduction());
    await writeFile(join(dir, 'reproduce.json'), JSON.stringify({ preset: 'quick', figure: 'all', totalSeconds: 5400, invocations: [{}, {}] }));
    const result = await runReport({ dir });
    expect(result.data.provenance[0]).toBe('apb reproduce --preset quick --figure all: 90.0 minutes of wall time over 2 invocation(s).');
  });

  it('names each kind of apb reproduce call that filled the folder', async () => {
    await writeFixtureRuns(dir, fixtureReproduction());
    const invocations = [{ seconds: 1800 }, { figure: '3b', seeds: [1, 2, 3], seconds: 2400 }];
    await writeFile(join(dir, 'reproduce.json'), JSON.stringify({ preset: 'quick', figure: 'all', totalSeconds: 4200, invocations }));
    const result = await runReport({ dir });
    expect(result.data.provenance[0]).toBe('apb reproduce --preset quick (--figure all; --figure 3b --seeds 1,2,3): 70.0 minutes of wall time over 2 invocation(s).');
  });

  it('finds run.json files in nested folders and skips model folders', async () => {
    const [first] = fixtureReproduction();
    await writeFixtureRuns(join(dir, 'figure-2', 'nested'), [first!]);
    await mkdir(join(dir, 'figure-2', 'nested', 'model'), { recursive: true });
    await writeFile(join(dir, 'figure-2', 'nested', 'model', 'run.json'), 'not json');
    const result = await runReport({ dir });
    expect(result.data.runs).toHaveLength(1);
    expect(result.data.runs[0]?.path).toMatch(/^figure-2\/nested\/.*\/run\.json$/);
  });

  it('says in one line which run.json is invalid', async () => {
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'run.json'), JSON.stringify({ schemaVersion: 1, id: 'x' }));
    const error = await runReport({ dir }).catch((e: unknown) => e);
    const lines = oneLineError(error);
    expect(lines[0]).toContain(join(dir, 'broken', 'run.json'));
    expect(lines[0]).toMatch(/not a valid run record/);
    expect(lines[1]).toMatch(/^ {2}suggestion: /);
  });

  it('says in one line that a file is not JSON', async () => {
    await mkdir(join(dir, 'torn'));
    await writeFile(join(dir, 'torn', 'run.json'), '{"schemaVersion": 1,');
    expect(oneLineError(await runReport({ dir }).catch((e: unknown) => e))[0]).toBe(`apb: ${join(dir, 'torn', 'run.json')} is not valid JSON.`);
  });

  it('rejects a directory without runs and a missing directory', async () => {
    expect(oneLineError(await runReport({ dir }).catch((e: unknown) => e))[0]).toBe(`apb: No run.json found under ${dir}.`);
    expect(oneLineError(await runReport({ dir: join(dir, 'nope') }).catch((e: unknown) => e))[0]).toMatch(/^apb: Cannot read report directory .*nope/);
  });
});
