import { readCustomFile, customClassNames, type CustomDatasetSpec } from './custom-dataset.js';
import { datasetFromIdx, selectExamples, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { datasets, isDatasetName, registryFile, type DatasetName, type Split } from './registry.js';
import { resolveOfficialFile, type ResolveOptions } from './resolve-file.js';
import { checkLimit, subsetIndices } from './subset.js';

/** Options for {@link loadDataset}. */
export interface LoadDatasetOptions extends Omit<ResolveOptions, 'log'> {
  /** Keep only this many examples (the first ones, or a stratified subset). */
  limit?: number;
  /** With `limit`: keep class proportions instead of taking the first examples. */
  stratified?: boolean;
  /** Report each place looked and each check to `log`. */
  verbose?: boolean;
  /** Where verbose lines go; default stderr. Giving `log` also turns verbose output on. */
  log?: (line: string) => void;
}

function checkSplit(split: unknown): asserts split is Split {
  if (split !== 'train' && split !== 'test') {
    throw new DatasetError(`split: expected 'train' or 'test', got ${JSON.stringify(split)}`, {
      code: 'BAD_OPTION',
      suggestion: "pass 'train' (60,000 images for MNIST) or 'test' (10,000)",
    });
  }
}

/** The logger verbose output goes to, or undefined when quiet. */
export function verboseLog(options: { verbose?: boolean; log?: (line: string) => void }): ((line: string) => void) | undefined {
  if (options.verbose === false) return undefined;
  if (options.log) return options.log;
  return options.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined;
}

function applyLimit(dataset: Dataset, options: LoadDatasetOptions): Dataset {
  if (options.limit === undefined || options.limit >= dataset.count) return dataset;
  return selectExamples(dataset, subsetIndices(dataset.labels, options.limit, options.stratified ?? false, dataset.classNames.length));
}

/**
 * Loads one split of MNIST, Fashion-MNIST or a custom folder of IDX files.
 *
 * Official files are looked for in order: the `dataDir` option, `APB_DATA_DIR`, the user cache,
 * Debian's `/usr/share/datasets/<name>`; then downloaded from the mirrors into the cache (unless
 * `download: false`). Every file is verified by sha256 (of the archive, or of its decompressed
 * content for recompressed copies) before use. A custom `{ dir, name }` is checked for internal
 * consistency instead.
 */
export async function loadDataset(
  name: DatasetName | CustomDatasetSpec,
  split: Split,
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  checkSplit(split);
  checkLimit(options.limit);
  const log = verboseLog(options);
  if (typeof name === 'object' && name !== null) {
    const [images, labels] = await bothInOrder(
      readCustomFile(name, split, 'images', log),
      readCustomFile(name, split, 'labels', log),
    );
    const labelsOnly = labels.content.subarray(Math.min(8, labels.content.length));
    const classNames = await customClassNames(name, labelsOnly);
    return applyLimit(datasetFromIdx(name.name, split, images, labels, classNames), options);
  }
  if (!isDatasetName(name)) {
    throw new DatasetError(`dataset ${JSON.stringify(name)} is unknown; known: ${Object.keys(datasets).join(', ')}`, {
      code: 'UNKNOWN_DATASET',
      suggestion: "pass 'mnist', 'fashion-mnist' or { dir, name } for a folder of IDX files",
    });
  }
  const entry = datasets[name];
  const resolveOptions: ResolveOptions = { ...options, ...(log ? { log } : {}) };
  if (!log) delete resolveOptions.log;
  const [images, labels] = await bothInOrder(
    resolveOfficialFile(name, registryFile(name, split, 'images'), resolveOptions),
    resolveOfficialFile(name, registryFile(name, split, 'labels'), resolveOptions),
  );
  const dataset = datasetFromIdx(name, split, images, labels, [...entry.classNames]);
  return applyLimit(dataset, options);
}

/**
 * Awaits both, and when both fail reports the first one's error: Promise.all would report whichever
 * failed sooner, so the same missing folder named the images file on one machine and the labels file on another.
 */
async function bothInOrder<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}
