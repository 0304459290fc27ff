import { ApbError } from '@apb/core';

/**
 * Raises a usage error the CLI prints as one line: `what` names the file or option, `suggestion`
 * says what to do.
 */
export function cliError(code: string, message: string, suggestion: string, cause?: unknown): ApbError {
  return new ApbError(message, { code, suggestion, cause });
}
