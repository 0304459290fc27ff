import { selectExamples, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { seededPermutation } from './random.js';

/** Options for {@link trainValidationSplit}. */
export interface SplitOptions {
  /** A fraction in (0, 1) of the examples, or a whole number of examples, to hold out. */
  validation: number;
  seed: number;
}

/**
 * Splits a dataset into a training and a held-out validation part, drawn by a seeded shuffle
 * (same seed, same split, every platform). Both parts keep the original order of their examples.
 */
export function trainValidationSplit(dataset: Dataset, options: SplitOptions): { train: Dataset; validation: Dataset } {
  const { validation, seed } = options;
  const size = validation > 0 && validation < 1 ? Math.round(validation * dataset.count) : validation;
  if (!Number.isFinite(validation) || !Number.isInteger(size) || size <= 0 || size >= dataset.count) {
    throw new DatasetError(
      `option validation: expected a fraction in (0, 1) or a whole number in [1, ${dataset.count - 1}], got ${validation}`,
      { code: 'BAD_OPTION', suggestion: 'pass validation as e.g. 0.1 or 5000' },
    );
  }
  if (!Number.isInteger(seed)) {
    throw new DatasetError(`option seed: expected an integer, got ${seed}`, {
      code: 'BAD_OPTION',
      suggestion: 'pass seed as a whole number, e.g. 1',
    });
  }
  const order = seededPermutation(dataset.count, seed);
  const held = order.slice(0, size).sort();
  const kept = order.slice(size).sort();
  return {
    train: selectExamples(dataset, kept),
    validation: selectExamples(dataset, held),
  };
}
