const MARKER = Symbol.for('apb.error');

/** Options for {@link ApbError}. */
export interface ApbErrorOptions {
  /** Stable machine-readable code, e.g. `BACKEND_UNAVAILABLE`. */
  code: string;
  /** One line telling the user what to do about it. */
  suggestion?: string;
  /** The underlying error, kept for `--debug` output. */
  cause?: unknown;
}

/**
 * Base class of every error the toolkit raises on purpose. The CLI prints `message` and
 * `suggestion` as one line each, without a stack trace. Packages subclass it to give their errors
 * a recognisable `name` (e.g. `DatasetError`).
 *
 * Packages are versioned independently, so two copies of this class can meet in one process
 * (and copies published before `@apb/core` existed carry the same marker without extending it):
 * recognise it with {@link isApbError}, not `instanceof`.
 */
export class ApbError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** One line telling the user what to do. */
  readonly suggestion: string | undefined;
  // A registry symbol (Symbol.for) is the same in every copy of this module, unlike the class.
  private readonly [MARKER] = true;

  constructor(message: string, options: ApbErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ApbError';
    this.code = options.code;
    this.suggestion = options.suggestion;
  }

  /** True for any copy of `ApbError` (or a subclass), from any version of any `@apb/*` package. */
  static isInstance(value: unknown): value is ApbError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** See {@link ApbError.isInstance}. */
export const isApbError = (value: unknown): value is ApbError => ApbError.isInstance(value);
