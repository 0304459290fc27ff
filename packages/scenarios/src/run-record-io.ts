import { ApbError } from '@apb/core';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@apb/core';
import { validateRunRecord, type RunRecord } from './run-record.js';

/** Validates and writes `run.json` atomically (temp file + rename). */
export async function writeRunRecord(path: string, record: RunRecord): Promise<void> {
  const checked = validateRunRecord(record, path);
  await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`);
}

/** Reads and validates a `run.json`; errors name the file and say what to do. */
export async function readRunRecord(path: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ApbError(`Cannot read run record ${path}: ${(error as Error).message}.`, {
      code: 'RUN_RECORD_NOT_FOUND',
      suggestion: 'Check the path, or train the run first (apb train --out DIR).',
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ApbError(`${path} is not valid JSON.`, {
      code: 'BAD_RUN_RECORD',
      suggestion: 'Delete it and re-run the training.',
      cause: error,
    });
  }
  return validateRunRecord(json, path);
}

/** The record at `path` if it exists and is valid, else undefined (used to skip finished runs). */
export async function tryReadRunRecord(path: string): Promise<RunRecord | undefined> {
  try {
    return await readRunRecord(path);
  } catch {
    return undefined;
  }
}
