import type { Dataset } from '@apb/datasets';
import type { TestImages } from '@apb/serve-app';
import type { RunRecord } from '@apb/scenarios';
import { resolve } from 'node:path';

import { cliError } from '../cli-error.js';

// The response shape lives in @apb/serve-app, shared with the web app that reads it.
export type { TestImages };

/** Most images one request may ask for. */
export const MAX_TEST_IMAGES = 200;

/**
 * Loads a run's test split the way its training did (custom `datasetDir`, or the official data
 * set from `dataDir` / `APB_DATA_DIR` / the cache), never downloading: a server started to look
 * at results should not fetch data sets behind the user's back. Relative paths in the record are
 * taken from the working directory, as apb train took them.
 */
export async function loadRunTestSet(config: RunRecord['config']): Promise<Dataset> {
  const { loadDataset, isDatasetError } = await import('@apb/datasets');
  try {
    if (config.datasetDir !== null) return await loadDataset({ dir: resolve(config.datasetDir), name: config.dataset }, 'test');
    return await loadDataset(config.dataset as 'mnist' | 'fashion-mnist', 'test', {
      download: false,
      ...(config.dataDir === null ? {} : { dataDir: resolve(config.dataDir) }),
    });
  } catch (error) {
    const where = config.datasetDir ?? config.dataDir ?? 'APB_DATA_DIR or the cache';
    const reason = isDatasetError(error) ? error.message : (error as Error).message;
    throw cliError(
      'DATASET_NOT_FOUND',
      `Cannot load the test images of data set ${config.dataset} (${where}): ${reason}`,
      config.datasetDir !== null
        ? 'Start apb serve from the folder the run was trained in, or draw an image instead.'
        : 'Set APB_DATA_DIR to the folder of the IDX files (or run apb datasets fetch), or draw an image instead.',
      error,
    );
  }
}

/** Slices `n` images from `offset` out of a loaded test set. */
export function pageOfImages(dataset: Dataset, offset: number, n: number): TestImages {
  const size = dataset.rows * dataset.cols;
  const start = Math.min(Math.max(0, offset), dataset.count);
  const end = Math.min(dataset.count, start + Math.min(Math.max(0, n), MAX_TEST_IMAGES));
  const images: number[][] = [];
  const labels: number[] = [];
  for (let i = start; i < end; i += 1) {
    images.push(Array.from(dataset.images.subarray(i * size, (i + 1) * size)));
    labels.push(dataset.labels[i]!);
  }
  return { dataset: dataset.name, rows: dataset.rows, cols: dataset.cols, classNames: dataset.classNames, count: dataset.count, offset: start, images, labels };
}
