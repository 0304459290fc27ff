import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './load-dataset.js';
import { datasets, registryFile, type DatasetName, type Split } from './registry.js';
import { resolveOfficialFile } from './resolve-file.js';
import { runDatasets } from './run-datasets.js';
import { gzipWithMtime, makeTempDir, removeDir } from './testing-internal/fixtures.js';

// Runs only where the real files are (.ci/run sets APB_DATA_DIR to shared/datasets).
const dataDir = process.env.APB_DATA_DIR;

// Per-class label counts, from shared/datasets/README.md.
const histograms: Record<DatasetName, Record<Split, number[]>> = {
  mnist: {
    train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
  },
  'fashion-mnist': { train: new Array<number>(10).fill(6000), test: new Array<number>(10).fill(1000) },
};

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]! += 1;
  return counts;
}

describe.skipIf(!dataDir)('real MNIST and Fashion-MNIST from APB_DATA_DIR', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await makeTempDir();
  });
  afterAll(async () => {
    await removeDir(scratch);
  });

  for (const name of ['mnist', 'fashion-mnist'] as const) {
    for (const split of ['train', 'test'] as const) {
      it(`loads ${name} ${split} with the official count, label histogram and checksums`, async () => {
        // An empty cache and system folder make sure the files come from APB_DATA_DIR.
        const dataset = await loadDataset(name, split, {
          download: false,
          env: { APB_DATA_DIR: dataDir },
          cacheDir: join(scratch, 'cache'),
          systemDir: join(scratch, 'system'),
        });
        const count = split === 'train' ? 60_000 : 10_000;
        expect(dataset).toMatchObject({ name, split, count, rows: 28, cols: 28, classNames: datasets[name].classNames });
        expect(dataset.images.length).toBe(count * 784);
        expect(histogram(dataset.labels)).toEqual(histograms[name][split]);
        for (const kind of ['images', 'labels'] as const) {
          const file = dataset.files[kind];
          expect(file.source).toBe('APB_DATA_DIR');
          expect(file.verifiedBy).toBe('archive');
          expect(file.sha256).toBe(registryFile(name, split, kind).sha256);
          expect(file.path).toBe(join(dataDir!, name, registryFile(name, split, kind).file));
        }
        const images = dataset.images;
        let max = 0;
        for (let i = 0; i < images.length; i++) if (images[i]! > max) max = images[i]!;
        expect(max).toBe(255);
      });
    }
  }

  it('verifies all eight files with runDatasets', async () => {
    const report = await runDatasets({ action: 'verify', dataDir, env: {}, cacheDir: join(scratch, 'cache'), systemDir: join(scratch, 'system') });
    expect(report.ok).toBe(true);
    expect(report.datasets.flatMap((d) => d.files.map((f) => f.status))).toEqual(new Array(8).fill('verified'));
  });

  it('accepts a recompressed copy of a real file in the Debian folder by its decompressed sha256', async () => {
    const file = registryFile('fashion-mnist', 'test', 'labels');
    const content = gunzipSync(await readFile(join(dataDir!, 'fashion-mnist', file.file)));
    const folder = join(scratch, 'system', 'fashion-mnist');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, file.file), gzipWithMtime(content, 12345, 9));
    const { resolved } = await resolveOfficialFile('fashion-mnist', file, { env: {}, cacheDir: join(scratch, 'cache'), systemDir: join(scratch, 'system'), download: false });
    expect(resolved).toMatchObject({ source: 'system', verifiedBy: 'content', contentSha256: file.decompressedSha256 });
    expect(resolved.sha256).not.toBe(file.sha256);
  });

  it('takes a stratified subset of the real test set with equal class shares', async () => {
    const dataset = await loadDataset('mnist', 'test', { dataDir, env: {}, download: false, limit: 1000, stratified: true });
    expect(dataset.count).toBe(1000);
    // Largest-remainder shares of 1000 from the MNIST test histogram.
    const exact = histograms.mnist.test.map((n) => (1000 * n) / 10_000);
    histogram(dataset.labels).forEach((count, label) => expect(Math.abs(count - exact[label]!)).toBeLessThan(1));
  });
});
