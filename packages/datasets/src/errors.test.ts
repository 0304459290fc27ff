import { ApbError, isApbError } from '@apb/core';
import { describe, expect, it } from 'vitest';
import { DatasetError, isDatasetError } from './errors.js';

describe('DatasetError', () => {
  it('carries a code, a suggestion, a cause and the shared apb.error marker', () => {
    const cause = new Error('inner');
    const error = new DatasetError('x.gz: broken', { code: 'X', suggestion: 'fix it', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'DatasetError', message: 'x.gz: broken', code: 'X', suggestion: 'fix it', cause });
    // The same check isApbError from @apb/core makes.
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('apb.error')]).toBe(true);
  });

  it('is recognised by marker, not by class, and plain errors are not', () => {
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('apb.error')]: true });
    expect(isDatasetError(foreign)).toBe(true);
    expect(isDatasetError(new Error('plain'))).toBe(false);
    expect(isDatasetError(null)).toBe(false);
    expect(isDatasetError('text')).toBe(false);
  });

  it('is an ApbError, so isApbError and the CLI treat it like every other toolkit error', () => {
    const error = new DatasetError('x.gz: missing', { code: 'FILE_MISSING', suggestion: 'set APB_DATA_DIR' });
    expect(error).toBeInstanceOf(ApbError);
    expect(isApbError(error)).toBe(true);
    expect(error.name).toBe('DatasetError');
  });
});
