import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

import { cliError } from './cli-error.js';

/** Options of {@link checkOutputFile}. */
export interface CheckOutputFileOptions {
  /** Replace an existing file (`--force`). */
  force: boolean;
  /** How the user named the file, for the message, e.g. `--out` or `the evaluation record`. */
  what: string;
}

/**
 * Checks, before any work starts, that a command may write its result to `path`: not a training
 * record (`run.json`, never replaced, `--force` or not), not a folder, not an existing file unless
 * `force`, and in a folder that can be written (created if missing). Errors are one line.
 */
export async function checkOutputFile(path: string, options: CheckOutputFileOptions): Promise<void> {
  const absolute = resolve(path);
  if (basename(absolute) === 'run.json') {
    throw cliError('OUT_IS_RUN_RECORD', `${options.what} ${path} would replace a training record (run.json).`, 'Write the result to another file, e.g. eval.json; apb eval keeps it beside run.json by default.');
  }
  // Anything but "it exists" is left to the folder check below, which says what is wrong.
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory() === true) throw cliError('OUT_IS_FOLDER', `${options.what} ${path} is a folder, not a file.`, 'Name a file, e.g. DIR/eval.json.');
  if (info !== undefined && !options.force) {
    throw cliError('OUT_EXISTS', `${options.what} ${path} already exists.`, 'Pass --force to replace it, or --out another file to keep both.');
  }
  const { ensureWritableDirectory } = await import('@apb/scenarios');
  await ensureWritableDirectory(dirname(absolute), `the folder of ${options.what}`);
}
