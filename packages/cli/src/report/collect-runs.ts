import type { RunRecord } from '@apb/scenarios';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

import { cliError } from '../cli-error.js';
import { EVAL_FILE_PATTERN, evalRecordSchema, type ReadEvalRecord } from '../eval-record.js';

/** A validated run record and where it was found. */
export interface FoundRun {
  /** Path of the run.json, relative to the report directory. */
  path: string;
  record: RunRecord;
}

/** An `apb eval` record found beside the runs. */
export interface FoundEvaluation {
  /** Path of the eval-*.json, relative to the report directory. */
  path: string;
  record: ReadEvalRecord;
}

/** A file the report could not use, and why (one line). */
export interface SkippedFile {
  /** Relative to the report directory. */
  path: string;
  reason: string;
}

/** Everything {@link collectResults} found under a report directory. */
export interface CollectedResults {
  runs: FoundRun[];
  evaluations: FoundEvaluation[];
  skipped: SkippedFile[];
}

/** Folders that never hold run records and may be large (model weights, sources). */
const SKIP = new Set(['node_modules', 'model', 'model-folded', '.git']);

async function findResultFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !SKIP.has(entry.name)) found.push(...(await findResultFiles(join(dir, entry.name))));
    else if (entry.isFile() && (entry.name === 'run.json' || EVAL_FILE_PATTERN.test(entry.name))) found.push(join(dir, entry.name));
  }
  return found;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw cliError('BAD_RUN_RECORD', `${file} is not valid JSON.`, 'Delete it and rerun that training (apb reproduce skips finished runs).', error);
  }
}

/**
 * Reads and validates every `run.json` (and every `apb eval` record, `eval-*.json`) under `dir`.
 * A file that cannot be read or is not valid is skipped and listed with why, so one corrupt record
 * does not cost the report of all the others. A missing directory, a directory without runs, or
 * one where no run.json is valid is a one-line error naming the path (the first invalid one).
 */
export async function collectResults(dir: string): Promise<CollectedResults> {
  let files: string[];
  try {
    files = await findResultFiles(dir);
  } catch (error) {
    throw cliError('REPORT_DIR_NOT_FOUND', `Cannot read report directory ${dir}: ${(error as Error).message}.`, 'Pass the --out directory of apb reproduce or apb train.', error);
  }
  const runFiles = files.filter((file) => basename(file) === 'run.json');
  if (runFiles.length === 0) {
    throw cliError('NO_RUNS', `No run.json found under ${dir}.`, 'Run apb reproduce --out DIR (or apb train --out DIR/NAME) first, then apb report DIR.');
  }
  const { validateRunRecord } = await import('@apb/scenarios');
  const result: CollectedResults = { runs: [], evaluations: [], skipped: [] };
  let firstError: unknown;
  for (const file of runFiles) {
    const path = relative(dir, file);
    try {
      result.runs.push({ path, record: validateRunRecord(await readJson(file), file) });
    } catch (error) {
      firstError ??= error;
      result.skipped.push({ path, reason: (error as Error).message.split(file).join(path) });
    }
  }
  if (result.runs.length === 0) throw firstError;
  for (const file of files.filter((candidate) => basename(candidate) !== 'run.json')) {
    const path = relative(dir, file);
    try {
      const parsed = evalRecordSchema.safeParse(await readJson(file));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        result.skipped.push({ path, reason: `${path} is not an apb eval record: field "${issue?.path.join('.') || '(root)'}": ${issue?.message ?? 'invalid'}.` });
      } else {
        result.evaluations.push({ path, record: parsed.data });
      }
    } catch (error) {
      result.skipped.push({ path, reason: (error as Error).message.split(file).join(path) });
    }
  }
  return result;
}
