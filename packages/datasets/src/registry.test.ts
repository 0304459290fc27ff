import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetNames, datasets, isDatasetName, registryFile } from './registry.js';

const dataDir = process.env.APB_DATA_DIR;

describe('registry', () => {
  it('has images and labels for both splits of each data set, with ten class names', () => {
    for (const name of datasetNames) {
      const entry = datasets[name];
      expect(entry.classNames).toHaveLength(10);
      expect(entry.mirrors.length).toBeGreaterThan(0);
      for (const split of ['train', 'test'] as const) {
        for (const kind of ['images', 'labels'] as const) {
          const file = registryFile(name, split, kind);
          expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
          expect(file.decompressedSha256).toMatch(/^[0-9a-f]{64}$/);
          // IDX header plus one byte per pixel or label.
          const perItem = kind === 'images' ? entry.rows * entry.cols : 1;
          expect(file.decompressedBytes).toBe((kind === 'images' ? 16 : 8) + file.count * perItem);
          expect(file.count).toBe(split === 'train' ? 60_000 : 10_000);
        }
      }
    }
  });

  it('knows its names', () => {
    expect(isDatasetName('mnist')).toBe(true);
    expect(isDatasetName('fashion-mnist')).toBe(true);
    expect(isDatasetName('toString')).toBe(false);
    expect(isDatasetName(3)).toBe(false);
  });

  it.skipIf(!dataDir)('agrees with SHA256SUMS and the file sizes in APB_DATA_DIR', async () => {
    const sums = await readFile(join(dataDir!, 'SHA256SUMS'), 'utf8');
    const lines = sums.trim().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      const [sha256, path] = line.split(/\s+/) as [string, string];
      const [name, file] = path.split('/') as [string, string];
      if (!isDatasetName(name)) throw new Error(`unexpected ${name}`);
      const entry = datasets[name].files.find((f) => f.file === file);
      expect(entry?.sha256, path).toBe(sha256);
      expect((await readFile(join(dataDir!, path))).length, path).toBe(entry?.bytes);
    }
  });
});
