/**
 * Error codes that say the run itself is wrong (its configuration, its data, its numerics): running
 * it again, here or on another machine, ends the same way, so the job fails at once. Other errors
 * (a missing data set or backend on one machine, a full disk, a crash) get the job's attempts.
 */
export const DETERMINISTIC_CODES: ReadonlySet<string> = new Set([
  'NAN_LOSS',
  'BAD_CONFIG',
  'BAD_OPTION',
  'INVALID_OPTION',
  'INVALID_INPUT',
  'UNKNOWN_OPTION',
  'UNKNOWN_DATASET',
  'SHAPE_MISMATCH',
  'CLASS_MISMATCH',
  'LABEL_OUT_OF_RANGE',
  'BAD_CLASS_NAMES',
  'CONFIG_MISMATCH',
  'MODEL_INVALID',
  'INVALID_MODEL',
  'RUN_EXISTS',
]);

/** Whether a run that failed with this error code fails again wherever it runs. */
export function isDeterministicFailure(code: string | undefined): boolean {
  return code !== undefined && DETERMINISTIC_CODES.has(code);
}
