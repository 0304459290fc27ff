import { isDatasetError, loadDataset, toFloat32 } from '@apb/datasets';

import type { BenchContext, BenchResult, BenchSuite } from './suite.js';

const TARGET_SECONDS = 1;

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Time to load the MNIST training set from its `.gz` files (find, sha256-verify, gunzip, IDX
 * decode) and normalise it to a Float32Array: target under 1 s. Needs the files in
 * `APB_DATA_DIR` or the user cache; skipped with a note otherwise (it never downloads).
 */
export const datasetsSuite: BenchSuite = {
  name: 'datasets',
  description: 'load and decode the MNIST training set (gz -> Float32Array), target < 1 s',
  async run(context: BenchContext): Promise<BenchResult[]> {
    // The first load warms the page cache and the JIT; the median of the timed runs is reported.
    const runs = context.quick ? 1 : 5;
    const loadSeconds: number[] = [];
    const totalSeconds: number[] = [];
    let source = '';
    let path = '';
    for (let run = -1; run < runs; run++) {
      const start = process.hrtime.bigint();
      let dataset;
      try {
        dataset = await loadDataset('mnist', 'train', { download: false });
      } catch (error) {
        if (isDatasetError(error) && error.code === 'DATASET_NOT_FOUND') {
          context.log('datasets: skipped, MNIST not found locally; set APB_DATA_DIR or run `apb datasets fetch mnist`');
          return [];
        }
        throw error;
      }
      const loaded = process.hrtime.bigint();
      const floats = toFloat32(dataset.images);
      const end = process.hrtime.bigint();
      if (floats.length !== 60_000 * 784) throw new Error(`expected 47,040,000 pixels, got ${floats.length}`);
      if (run < 0) continue;
      loadSeconds.push(Number(loaded - start) / 1e9);
      totalSeconds.push(Number(end - start) / 1e9);
      source = dataset.files.images.source;
      path = dataset.files.images.path;
    }
    const total = medianOf(totalSeconds);
    context.log(`datasets: MNIST train gz -> Float32Array in ${total.toFixed(3)} s (median of ${runs}; target < ${TARGET_SECONDS} s)`);
    const details = { images: 60_000, runs, source, path, warmupRuns: 1 };
    return [
      {
        suite: 'datasets',
        name: 'mnist-train-load-float32',
        value: total,
        unit: 's',
        details: { ...details, target: `< ${TARGET_SECONDS} s`, metTarget: total < TARGET_SECONDS, runSeconds: totalSeconds },
      },
      {
        suite: 'datasets',
        name: 'mnist-train-load-uint8',
        value: medianOf(loadSeconds),
        unit: 's',
        details: { ...details, note: 'find + sha256 + gunzip + IDX decode, without normalisation', runSeconds: loadSeconds },
      },
    ];
  },
};
