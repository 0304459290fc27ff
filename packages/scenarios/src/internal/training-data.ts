// The training data: @apb/datasets splits, batched by index.
import { loadDataset, loadRegisteredDataset, type Dataset } from '@apb/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32, shuffledIndices } from '@apb/core';

/** The part of `@apb/datasets`' `Dataset` the loop reads. */
export type SplitData = Pick<Dataset, 'name' | 'split' | 'count' | 'rows' | 'cols' | 'images' | 'labels'> & Partial<Pick<Dataset, 'channels' | 'classNames' | 'files'>>;

/** Bytes of one image of a split: rows x cols x channels (1 channel when the split names none). */
export function pixelsPerImage(data: Pick<SplitData, 'rows' | 'cols' | 'channels'>): number {
  return data.rows * data.cols * (data.channels ?? 1);
}

/** One batch: `count` images, row-major bytes, their labels and their indices in the split. */
export interface BatchData {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  indices: number[];
}

/**
 * Loads a split through `@apb/datasets`: a registered data set through its descriptor (the official
 * ones with resolution, checksums and stratified limits). With `datasetDir`, the split comes from
 * that folder of IDX files (a custom data set named `name`).
 */
export async function loadSplit(
  name: string,
  split: 'train' | 'test',
  options: { dataDir: string | null; datasetDir: string | null; limit: number | null },
): Promise<SplitData> {
  const limitOptions = options.limit === null ? {} : { limit: options.limit, stratified: true };
  if (options.datasetDir !== null) return loadDataset({ dir: options.datasetDir, name }, split, limitOptions);
  return loadRegisteredDataset(name, split, { ...limitOptions, ...(options.dataDir === null ? {} : { dataDir: options.dataDir }) });
}

/**
 * Seeded, shuffled batches of a split (the last one may be short). The loop batches by index itself
 * (rather than through `@apb/datasets`' `batches`) because precomputed adversarial examples are
 * looked up by the index of their clean example.
 */
export function* iterateBatches(dataset: SplitData, options: { batchSize: number; seed: number }): Generator<BatchData> {
  const order = shuffledIndices(dataset.count, mulberry32(options.seed));
  const size = pixelsPerImage(dataset);
  for (let start = 0; start < order.length; start += options.batchSize) {
    const indices = order.slice(start, start + options.batchSize);
    const images = new Uint8Array(indices.length * size);
    const labels = new Uint8Array(indices.length);
    indices.forEach((index, i) => {
      images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
      labels[i] = dataset.labels[index]!;
    });
    yield { images, labels, count: indices.length, indices };
  }
}

/** Number of batches {@link iterateBatches} yields. */
export function batchCount(dataset: SplitData, batchSize: number): number {
  return Math.ceil(dataset.count / batchSize);
}

/** Images as a `[n, rows, cols, channels]` float tensor in [0, 1]. */
export function imagesToTensor(images: Uint8Array, count: number, rows: number, cols: number, channels = 1): tf.Tensor4D {
  const floats = new Float32Array(images.length);
  for (let i = 0; i < images.length; i += 1) floats[i] = images[i]! / 255;
  return tf.tensor4d(floats, [count, rows, cols, channels]);
}

/** A seeded subset (first `limit` of a seeded permutation), fixed for a given seed. */
export function subsetOf(dataset: SplitData, limit: number | null, seed: number): SplitData {
  if (limit === null || limit >= dataset.count) return dataset;
  const order = shuffledIndices(dataset.count, mulberry32(seed)).slice(0, limit).sort((a, b) => a - b);
  const size = pixelsPerImage(dataset);
  const images = new Uint8Array(limit * size);
  const labels = new Uint8Array(limit);
  order.forEach((index, i) => {
    images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = dataset.labels[index]!;
  });
  return { ...dataset, count: limit, images, labels };
}
