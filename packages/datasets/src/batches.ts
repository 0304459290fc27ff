import type { Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { seededPermutation } from './random.js';

/** One mini-batch: copies of the selected images and labels. */
export interface Batch {
  count: number;
  rows: number;
  cols: number;
  /** Values per pixel, as in the dataset (1 when it has none). */
  channels: number;
  /** `count * rows * cols * channels` pixel bytes, row-major, channels last. */
  images: Uint8Array;
  labels: Uint8Array;
  /** Positions of these examples in the dataset. */
  indices: Uint32Array;
}

/** Options for {@link batches}. */
export interface BatchOptions {
  batchSize: number;
  /** Fixes the shuffled order; pass e.g. `seed + epoch` for a new order each epoch. */
  seed: number;
  /** Shuffle before batching; default true. */
  shuffle?: boolean;
  /** Skip a last batch smaller than `batchSize`; default false. */
  dropLast?: boolean;
}

/**
 * Mini-batches over a dataset. With `shuffle` the order comes from a seeded 32-bit integer
 * generator, so the same seed gives the same batches on every platform.
 */
export function* batches(
  dataset: Pick<Dataset, 'count' | 'rows' | 'cols' | 'channels' | 'images' | 'labels'>,
  options: BatchOptions,
): Generator<Batch, void, undefined> {
  const { batchSize, seed } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new DatasetError(`option batchSize: expected a positive integer, got ${batchSize}`, {
      code: 'BAD_OPTION',
      suggestion: 'pass batchSize as a whole number, e.g. 128',
    });
  }
  if (!Number.isInteger(seed)) {
    throw new DatasetError(`option seed: expected an integer, got ${seed}`, {
      code: 'BAD_OPTION',
      suggestion: 'pass seed as a whole number, e.g. 1',
    });
  }
  const n = dataset.count;
  const order = options.shuffle === false ? Uint32Array.from({ length: n }, (_, i) => i) : seededPermutation(n, seed);
  const channels = dataset.channels ?? 1;
  const size = dataset.rows * dataset.cols * channels;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (end - start < batchSize && options.dropLast) return;
    const indices = order.slice(start, end);
    const images = new Uint8Array(indices.length * size);
    const labels = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const from = indices[i]!;
      images.set(dataset.images.subarray(from * size, (from + 1) * size), i * size);
      labels[i] = dataset.labels[from]!;
    }
    yield { count: indices.length, rows: dataset.rows, cols: dataset.cols, channels, images, labels, indices };
  }
}
