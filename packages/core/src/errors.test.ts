import { describe, expect, it } from 'vitest';
import { ApbError, isApbError } from './errors.js';

describe('ApbError', () => {
  it('carries a code, a suggestion and a cause', () => {
    const cause = new Error('inner');
    const error = new ApbError('bad --eps', { code: 'BAD_FLAG', suggestion: 'pass a number in [0, 1]', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ApbError', message: 'bad --eps', code: 'BAD_FLAG', suggestion: 'pass a number in [0, 1]', cause });
    expect(new ApbError('x', { code: 'X' }).suggestion).toBeUndefined();
  });

  it('carries the registry marker that copies from other package versions look for', () => {
    const error = new ApbError('x', { code: 'X' });
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('apb.error')]).toBe(true);
  });

  it('recognises subclasses and foreign copies by marker, and nothing else', () => {
    class PackageError extends ApbError {
      constructor(message: string) {
        super(message, { code: 'PACKAGE' });
        this.name = 'PackageError';
      }
    }
    const sub = new PackageError('from a package');
    expect(isApbError(sub)).toBe(true);
    expect(sub.name).toBe('PackageError');
    // What an old copy of the class, or one from another version of a package, looks like.
    const foreign = Object.assign(new Error('from another copy'), { code: 'Y', [Symbol.for('apb.error')]: true });
    expect(isApbError(foreign)).toBe(true);
    expect(ApbError.isInstance(foreign)).toBe(true);
    expect(isApbError(new Error('plain'))).toBe(false);
    expect(isApbError(Object.assign(new Error('fake'), { [Symbol('apb.error')]: true }))).toBe(false);
    expect(isApbError(null)).toBe(false);
    expect(isApbError('text')).toBe(false);
  });
});
