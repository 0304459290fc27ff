import type { RunRecord } from '@apb/scenarios';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { cliError } from '../cli-error.js';

/** A validated run record and where it was found. */
export interface FoundRun {
  /** Path of the run.json, relative to the report directory. */
  path: string;
  record: RunRecord;
}

/** Folders that never hold run records and may be large (model weights, sources). */
const SKIP = new Set(['node_modules', 'model', 'model-folded', '.git']);

async function findRunFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !SKIP.has(entry.name)) found.push(...(await findRunFiles(join(dir, entry.name))));
    else if (entry.isFile() && entry.name === 'run.json') found.push(join(dir, entry.name));
  }
  return found;
}

/**
 * Reads and validates every `run.json` under `dir`. A missing directory, a directory without runs
 * or an invalid record is a one-line error naming the path.
 */
export async function collectRuns(dir: string): Promise<FoundRun[]> {
  let files: string[];
  try {
    files = await findRunFiles(dir);
  } catch (error) {
    throw cliError('REPORT_DIR_NOT_FOUND', `Cannot read report directory ${dir}: ${(error as Error).message}.`, 'Pass the --out directory of apb reproduce or apb train.', error);
  }
  if (files.length === 0) {
    throw cliError('NO_RUNS', `No run.json found under ${dir}.`, 'Run apb reproduce --out DIR (or apb train --out DIR/NAME) first, then apb report DIR.');
  }
  const { validateRunRecord } = await import('@apb/scenarios');
  const runs: FoundRun[] = [];
  for (const file of files) {
    const path = relative(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw cliError('BAD_RUN_RECORD', `${file} is not valid JSON.`, 'Delete it and rerun that training (apb reproduce skips finished runs).', error);
    }
    runs.push({ path, record: validateRunRecord(json, file) });
  }
  return runs;
}
