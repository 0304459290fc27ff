import { selectExamples, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { loadDataset, type LoadDatasetOptions } from './load-dataset.js';
import { datasets, type Split } from './registry.js';
import { subsetIndices } from './subset.js';

/** Options a descriptor's loader gets: where official files are looked for and the subset wanted. */
export type DescriptorLoadOptions = Pick<LoadDatasetOptions, 'dataDir' | 'limit' | 'stratified'>;

/**
 * Everything a consumer (training, evaluation) needs to know about a named data set: its image
 * shape, channels and classes, and how to load a split. A new data set is one descriptor and its
 * loader, registered with {@link registerDataset}.
 */
export interface DatasetDescriptor {
  /** Lowercase name, as in `--dataset` and run ids. */
  name: string;
  title: string;
  /** Every image is `rows x cols x channels` unsigned bytes, channels last (1: grey, 3: RGB). */
  rows: number;
  cols: number;
  channels: number;
  /** Class names, indexed by label. */
  classNames: readonly string[];
  /**
   * Loads one split; the images must have the shape above (see {@link loadRegisteredDataset}). A
   * loader may ignore `limit` and `stratified`: a split larger than `limit` is cut down afterwards.
   */
  load(split: Split, options: DescriptorLoadOptions): Promise<Dataset>;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const descriptors = new Map<string, DatasetDescriptor>();
const BUILT_IN = new Set<string>(Object.keys(datasets));

/** Adds a data set by name. Throws a `DatasetError` (`BAD_OPTION`) for a malformed or taken name or a bad shape. */
export function registerDataset(descriptor: DatasetDescriptor): void {
  const { name, rows, cols, channels } = descriptor;
  if (!NAME.test(name)) {
    throw new DatasetError(`registerDataset: "${name}" is not a usable data set name`, { code: 'BAD_OPTION', suggestion: 'use lowercase letters, digits and -' });
  }
  if (descriptors.has(name)) {
    throw new DatasetError(`registerDataset: a data set named "${name}" is already registered`, { code: 'BAD_OPTION', suggestion: 'pick another name, or unregister the existing one first' });
  }
  if (![rows, cols, channels].every((n) => Number.isInteger(n) && n > 0)) {
    throw new DatasetError(`registerDataset: "${name}" has shape ${rows}x${cols}x${channels}`, { code: 'BAD_OPTION', suggestion: 'give rows, cols and channels as whole numbers >= 1' });
  }
  descriptors.set(name, { ...descriptor, classNames: [...descriptor.classNames] });
}

/** Removes a data set added with {@link registerDataset}; the official ones stay. Returns whether it was removed. */
export function unregisterDataset(name: string): boolean {
  if (BUILT_IN.has(name)) return false;
  return descriptors.delete(name);
}

/** The descriptor registered under `name`, or undefined. */
export function datasetDescriptor(name: string): DatasetDescriptor | undefined {
  return descriptors.get(name);
}

/** Names of every registered data set, official ones first. */
export function registeredDatasetNames(): string[] {
  return [...descriptors.keys()];
}

/**
 * Loads a split of a registered data set through its descriptor and checks that what came back
 * has the shape the descriptor promises (a `DatasetError` `SHAPE_MISMATCH` otherwise), with
 * `channels` filled in.
 */
export async function loadRegisteredDataset(name: string, split: Split, options: DescriptorLoadOptions = {}): Promise<Dataset> {
  const descriptor = descriptors.get(name);
  if (descriptor === undefined) {
    throw new DatasetError(`data set "${name}" is not registered`, { code: 'UNKNOWN_DATASET', suggestion: `use one of ${registeredDatasetNames().join(', ')}, or register it with registerDataset()` });
  }
  const data = await descriptor.load(split, options);
  const channels = data.channels ?? 1;
  const { rows, cols } = descriptor;
  if (data.rows !== rows || data.cols !== cols || channels !== descriptor.channels || data.images.length !== data.count * rows * cols * channels) {
    throw new DatasetError(
      `data set ${name} (${split}): the loader gave ${data.count} images of ${data.rows}x${data.cols}x${channels} (${data.images.length} bytes) but the descriptor says ${rows}x${cols}x${descriptor.channels}`,
      { code: 'SHAPE_MISMATCH', suggestion: `make the loader of ${name} return images of the descriptor's shape, or fix the descriptor` },
    );
  }
  const limited = options.limit !== undefined && data.count > options.limit
    ? selectExamples(data, subsetIndices(data.labels, options.limit, options.stratified ?? false, data.classNames.length), data.name)
    : data;
  return { ...limited, channels };
}

for (const official of Object.values(datasets)) {
  registerDataset({
    name: official.name,
    title: official.title,
    rows: official.rows,
    cols: official.cols,
    channels: 1,
    classNames: official.classNames,
    load: (split, options) => loadDataset(official.name, split, options),
  });
}
