import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDatasetError } from './errors.js';
import { loadDataset } from './load-dataset.js';
import { imagesIdx, labelsIdx, makeTempDir, removeDir, syntheticSplit } from './testing-internal/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function writeSplit(prefix: string, count: number, labelCount = count, gz = true): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const data = syntheticSplit(count, 4, 3, 3);
  const labels = data.labels.subarray(0, labelCount);
  const suffix = gz ? '.gz' : '';
  const encode = (bytes: Uint8Array): Uint8Array => (gz ? gzipSync(bytes) : bytes);
  await writeFile(join(dir, `${prefix}-images-idx3-ubyte${suffix}`), encode(imagesIdx(data.images, count, 4, 3)));
  await writeFile(join(dir, `${prefix}-labels-idx1-ubyte${suffix}`), encode(labelsIdx(labels)));
  return data;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; suggestion: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDatasetError(error)) throw new Error(`expected a DatasetError, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  expect(error.suggestion).toBeTruthy();
  return error;
}

describe('loadDataset with a custom folder', () => {
  it('loads gz images and labels, checked for consistency', async () => {
    const data = await writeSplit('train', 12);
    const dataset = await loadDataset({ dir, name: 'toy' }, 'train');
    expect(dataset).toMatchObject({ name: 'toy', split: 'train', count: 12, rows: 4, cols: 3, classNames: ['0', '1', '2'] });
    expect(dataset.images).toEqual(data.images);
    expect(dataset.labels).toEqual(data.labels);
    expect(dataset.files.images.verifiedBy).toBe('consistency');
    expect(dataset.files.images.source).toBe('custom');
    expect(dataset.files.images.path).toBe(join(dir, 'train-images-idx3-ubyte.gz'));
  });

  it('loads raw test files named t10k and reads class names from classes.txt', async () => {
    await writeSplit('t10k', 6, 6, false);
    await writeFile(join(dir, 'classes.txt'), 'cat\ndog\nbird\n');
    const dataset = await loadDataset({ dir, name: 'pets' }, 'test');
    expect(dataset.count).toBe(6);
    expect(dataset.classNames).toEqual(['cat', 'dog', 'bird']);
  });

  it('applies a first-N or a stratified limit', async () => {
    const data = await writeSplit('train', 12);
    const first = await loadDataset({ dir, name: 'toy' }, 'train', { limit: 4 });
    expect(first.count).toBe(4);
    expect(first.images).toEqual(data.images.subarray(0, 4 * 12));
    // Labels cycle 0,1,2: a stratified 6 takes the first two of each class, i.e. indices 0..5.
    const stratified = await loadDataset({ dir, name: 'toy' }, 'train', { limit: 6, stratified: true });
    expect([...stratified.labels]).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('reports each place it looked when verbose', async () => {
    await writeSplit('train', 3);
    const lines: string[] = [];
    await loadDataset({ dir, name: 'toy' }, 'train', { verbose: true, log: (line) => lines.push(line) });
    expect(lines.some((l) => l.includes('train-images-idx3-ubyte.gz: found'))).toBe(true);
  });

  it('rejects image and label counts that differ, naming both files', async () => {
    await writeSplit('train', 5, 4);
    const error = await errorOf(loadDataset({ dir, name: 'toy' }, 'train'));
    expect(error.code).toBe('COUNT_MISMATCH');
    expect(error.message).toMatch(/train-labels-idx1-ubyte\.gz: 4 labels but .*train-images-idx3-ubyte\.gz has 5 images/);
  });

  it('rejects a labels file in place of an images file (wrong magic)', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(labelsIdx(new Uint8Array(3))));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(labelsIdx(new Uint8Array(3))));
    const error = await errorOf(loadDataset({ dir, name: 'toy' }, 'train'));
    expect(error.code).toBe('IDX_WRONG_KIND');
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: wrong magic number 0x00000801 for an images file/);
  });

  it('rejects a truncated .gz and a .gz that is not gzip, naming the file', async () => {
    await writeSplit('train', 50);
    const gz = gzipSync(imagesIdx(new Uint8Array(50 * 12), 50, 4, 3));
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length >> 1));
    expect((await errorOf(loadDataset({ dir, name: 'toy' }, 'train'))).message).toMatch(/train-images-idx3-ubyte\.gz: gzip data is truncated/);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), imagesIdx(new Uint8Array(50 * 12), 50, 4, 3));
    expect((await errorOf(loadDataset({ dir, name: 'toy' }, 'train'))).code).toBe('GZIP_NOT_GZIP');
  });

  it('rejects a header count that disagrees with the byte length', async () => {
    await writeSplit('train', 5);
    const raw = imagesIdx(new Uint8Array(5 * 12), 5, 4, 3);
    new DataView(raw.buffer).setUint32(4, 6);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(raw));
    const error = await errorOf(loadDataset({ dir, name: 'toy' }, 'train'));
    expect(error.code).toBe('IDX_LENGTH_MISMATCH');
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: header declares shape \[6, 4, 3\]/);
  });

  it('says which files it looked for when a split is missing', async () => {
    await writeSplit('train', 3);
    const error = await errorOf(loadDataset({ dir, name: 'toy' }, 'test'));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toMatch(/no test images file for data set toy; looked for t10k-images-idx3-ubyte\.gz/);
  });

  it('rejects labels beyond the listed class names', async () => {
    await writeSplit('train', 6);
    await writeFile(join(dir, 'classes.txt'), 'a\nb\n');
    expect((await errorOf(loadDataset({ dir, name: 'toy' }, 'train'))).code).toBe('LABEL_OUT_OF_RANGE');
  });
});

describe('loadDataset options', () => {
  it('rejects an unknown name, a bad split and a bad limit by name', async () => {
    expect((await errorOf(loadDataset('cifar' as 'mnist', 'train'))).message).toMatch(/dataset "cifar" is unknown/);
    expect((await errorOf(loadDataset('mnist', 'valid' as 'train'))).message).toMatch(/split: expected 'train' or 'test'/);
    expect((await errorOf(loadDataset('mnist', 'train', { limit: -3 }))).message).toMatch(/option limit/);
  });
});
