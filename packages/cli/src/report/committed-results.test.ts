import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { runReport } from '../commands/report.js';

// Committed results must be complete and portable: `apb report` on a copy of each folder, on any
// machine, remakes the committed report.md (its generation time aside) from the committed runs.
const resultsRoot = join(import.meta.dirname, '../../../../docs/results');
const folders = existsSync(resultsRoot)
  ? readdirSync(resultsRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(resultsRoot, entry.name, 'report.md')))
      .map((entry) => entry.name)
  : [];

/** The report without the line that says when it was generated. */
const withoutTimestamp = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => !/^Generated \S+ by `apb report`/.test(line))
    .join('\n');

async function jsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFiles(path)));
    else if (entry.name.endsWith('.json')) found.push(path);
  }
  return found;
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.runIf(folders.length > 0)('committed results in docs/results', () => {
  it.each(folders)('%s: every run its summary lists is committed', async (folder) => {
    const dir = join(resultsRoot, folder);
    const summaryPath = join(dir, 'reproduce.json');
    if (!existsSync(summaryPath)) return;
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { runs: { id: string; outcome: string }[] };
    const finished = summary.runs.filter((run) => run.outcome === 'complete' || run.outcome === 'skipped');
    const missing = finished.filter((run) => !existsSync(join(dir, run.id, 'run.json'))).map((run) => run.id);
    expect(missing).toEqual([]);
  });

  it.each(folders)('%s: no JSON file names an absolute path', async (folder) => {
    const offenders: string[] = [];
    for (const file of await jsonFiles(join(resultsRoot, folder))) {
      if (/"(\/[A-Za-z0-9._-]+){2,}\/?"/.test(await readFile(file, 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it.each(folders)(
    '%s: apb report on a copy remakes the committed report.md',
    async (folder) => {
      const copy = await mkdtemp(join(tmpdir(), `apb-committed-${folder}-`));
      scratch.push(copy);
      await cp(join(resultsRoot, folder), copy, { recursive: true });
      await runReport({ dir: copy });
      const committed = await readFile(join(resultsRoot, folder, 'report.md'), 'utf8');
      const remade = await readFile(join(copy, 'report.md'), 'utf8');
      expect(withoutTimestamp(remade)).toBe(withoutTimestamp(committed));
    },
    120_000,
  );
});
