import { ApbError, type ApbErrorOptions } from '@apb/core';

/**
 * Error raised on purpose by this package: an {@link ApbError} named `NativeBackendError`, with a
 * `code` and a one-line `suggestion`. Recognise it with `isApbError`, never `instanceof`.
 */
export class NativeBackendError extends ApbError {
  constructor(message: string, options: ApbErrorOptions) {
    super(message, options);
    this.name = 'NativeBackendError';
  }
}
