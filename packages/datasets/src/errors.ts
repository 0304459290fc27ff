const MARKER = Symbol.for('apb.error');

/** Options for {@link DatasetError}. */
export interface DatasetErrorOptions {
  /** Stable machine-readable code, e.g. `IDX_BAD_MAGIC`. */
  code: string;
  /** One line telling the user what to do about it. */
  suggestion?: string;
  /** The underlying error, kept for `--debug` output. */
  cause?: unknown;
}

/**
 * Every error `@apb/datasets` raises on purpose. The message is one line and names the file;
 * `suggestion` is one line saying what to do.
 *
 * This package depends on no other `@apb/*` package, so it cannot extend `ApbError`; it carries
 * the same `Symbol.for('apb.error')` marker instead, which `isApbError` from `@apb/backend`
 * recognises.
 */
export class DatasetError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** One line telling the user what to do. */
  readonly suggestion: string | undefined;
  private readonly [MARKER] = true;

  constructor(message: string, options: DatasetErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'DatasetError';
    this.code = options.code;
    this.suggestion = options.suggestion;
  }

  /** True for any error carrying the `apb.error` marker (a `DatasetError` or an `ApbError`). */
  static isInstance(value: unknown): value is DatasetError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** See {@link DatasetError.isInstance}. */
export const isDatasetError = (value: unknown): value is DatasetError => DatasetError.isInstance(value);
