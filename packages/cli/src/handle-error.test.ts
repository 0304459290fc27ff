import { ApbError } from '@apb/core';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { handleError } from './handle-error.js';

function capture(error: unknown, debug = false): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = handleError(error, { debug, write: (line) => lines.push(line) });
  return { code, lines };
}

describe('handleError', () => {
  it('prints an ApbError as one line plus its suggestion and exits 1', () => {
    const { code, lines } = capture(new ApbError('mnist: file not found', { code: 'DATASET_NOT_FOUND', suggestion: 'Run apb datasets fetch.' }));
    expect(code).toBe(1);
    expect(lines).toEqual(['apb: mnist: file not found', '  suggestion: Run apb datasets fetch.']);
  });

  it('names the flag, not the config field, in configuration errors', () => {
    const error = new ApbError('Invalid training option "evaluation.pgdSteps": too small.', { code: 'BAD_CONFIG', suggestion: 'Fix it.' });
    expect(capture(error).lines[0]).toBe('apb: Invalid training option --eval-pgd-steps: too small.');
    expect(capture(new ApbError('Invalid training option "apbEps": bad.', { code: 'BAD_CONFIG' })).lines[0]).toBe('apb: Invalid training option --apb-eps: bad.');
  });

  it('recognises errors of another copy of the package by their marker, not instanceof', () => {
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('apb.error')]: true, code: 'X', suggestion: 'do y' });
    expect(capture(foreign).lines).toEqual(['apb: from another copy', '  suggestion: do y']);
  });

  it('prints one line per zod issue naming the flag in kebab case', () => {
    const result = z.object({ batchSize: z.number().positive(), attackEps: z.number().max(1) }).safeParse({ batchSize: -1, attackEps: 2 });
    const { code, lines } = capture(result.error);
    expect(code).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^apb: --batch-size: /);
    expect(lines[1]).toMatch(/^apb: --attack-eps: /);
  });

  it('keeps commander parse errors on one line and treats --help as success', () => {
    const unknown = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--datset'\n(Did you mean --dataset?)");
    const { code, lines } = capture(unknown);
    expect(code).toBe(1);
    expect(lines).toEqual(["apb: unknown option '--datset' (Did you mean --dataset?) (run with --help for usage)"]);
    expect(capture(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, lines: [] });
  });

  it('shows a stack trace only with --debug', () => {
    const error = new Error('boom\nsecond line');
    expect(capture(error).lines).toEqual(['apb: unexpected error: boom second line (rerun with --debug for the stack trace)']);
    const debug = capture(error, true).lines;
    expect(debug).toHaveLength(2);
    expect(debug[1]).toContain('handle-error.test.ts');
  });
});
