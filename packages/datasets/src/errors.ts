import { ApbError, type ApbErrorOptions } from '@apb/core';

/** Options for {@link DatasetError}: those of `ApbError` (`code`, `suggestion`, `cause`). */
export type DatasetErrorOptions = ApbErrorOptions;

/**
 * Every error `@apb/datasets` raises on purpose: an `ApbError` named `DatasetError`. The message
 * is one line and names the file; `suggestion` is one line saying what to do.
 */
export class DatasetError extends ApbError {
  constructor(message: string, options: DatasetErrorOptions) {
    super(message, options);
    this.name = 'DatasetError';
  }

  /**
   * True for any error carrying the `Symbol.for('apb.error')` marker: a `DatasetError`, any other
   * `ApbError`, or a copy of either from another package version (the same test as `isApbError`).
   */
  static override isInstance(value: unknown): value is DatasetError {
    return ApbError.isInstance(value);
  }
}

/** See {@link DatasetError.isInstance}. */
export const isDatasetError = (value: unknown): value is DatasetError => DatasetError.isInstance(value);
