const MARKER = Symbol.for('apb.error');

/**
 * Error raised on purpose by this package. It carries the same `Symbol.for('apb.error')` marker
 * as `ApbError` from `@apb/backend` (which imports this package, so it cannot import that class
 * back): recognise it with `isApbError`, never `instanceof`.
 */
export class NativeBackendError extends Error {
  /** Stable machine-readable code, e.g. `NATIVE_ADDON_UNAVAILABLE`. */
  readonly code: string;
  /** One line telling the user what to do about it. */
  readonly suggestion: string | undefined;
  private readonly [MARKER] = true;

  constructor(message: string, options: { code: string; suggestion?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'NativeBackendError';
    this.code = options.code;
    this.suggestion = options.suggestion;
  }
}
