import { isApbError } from '@apb/core';
import { CommanderError } from 'commander';
import { ZodError } from 'zod';

import { flagNameOf } from './flag-names.js';

/** Options of {@link handleError}. */
export interface HandleErrorOptions {
  /** Print the stack trace (`--debug`). */
  debug?: boolean;
  /** Where the lines go; stderr by default. */
  write?: (line: string) => void;
}

/** Commander's "errors" that are not failures: `--help` and `--version`. */
const BENIGN_COMMANDER_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Keeps a message on one line: the first line only, trimmed. */
function oneLine(message: string): string {
  return message.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' ');
}

/**
 * `@apb/scenarios` names config fields (`option "apbEps"`); on the command line the user typed
 * `--apb-eps`, so say that.
 */
function flagsInConfigMessage(code: string, message: string): string {
  if (code !== 'BAD_CONFIG') return message;
  return message.replace(/option "([A-Za-z.]+)"/g, (_, key: string) => `option ${flagNameOf(key.replace(/^evaluation\.(.)/, (_m, c: string) => `eval${c.toUpperCase()}`))}`);
}

/**
 * The CLI's one error handler: known errors become one line (plus a suggestion line), zod errors
 * one line per flag, commander's parse errors one line; anything else one line too, and the stack
 * only with `--debug`. Returns the exit code (0 for `--help`/`--version`, otherwise 1).
 */
export function handleError(error: unknown, options: HandleErrorOptions = {}): number {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (error instanceof CommanderError) {
    // Help and version were already printed; `apb` alone prints help and exits 1 (error.exitCode).
    if (BENIGN_COMMANDER_CODES.has(error.code)) return error.exitCode;
    write(`apb: ${oneLine(error.message.replace(/^error:\s*/, ''))} (run with --help for usage)`);
  } else if (error instanceof ZodError) {
    for (const issue of error.issues) {
      const key = issue.path.map(String).join('.');
      const where = key === '' ? 'options' : flagNameOf(key);
      write(`apb: ${where}: ${oneLine(issue.message)}`);
    }
  } else if (isApbError(error)) {
    write(`apb: ${oneLine(flagsInConfigMessage(error.code, error.message))}`);
    if (error.suggestion !== undefined && error.suggestion !== '') write(`  suggestion: ${oneLine(error.suggestion)}`);
  } else if (error instanceof Error) {
    write(`apb: unexpected error: ${oneLine(error.message)} (rerun with --debug for the stack trace)`);
  } else {
    write(`apb: unexpected error: ${oneLine(String(error))}`);
  }
  if (options.debug === true && error instanceof Error && error.stack !== undefined) write(error.stack);
  return 1;
}
