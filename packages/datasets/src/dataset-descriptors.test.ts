import { afterEach, describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { datasetDescriptor, loadRegisteredDataset, registerDataset, registeredDatasetNames, unregisterDataset } from './index.js';

const file = { path: 'memory', source: 'custom', bytes: 0, sha256: '', contentSha256: '', verifiedBy: 'consistency' } as const;

/** `count` 2x2 RGB images, labels 0, 1, 2, 0, 1, 2, ... */
function rgb(count: number, channels = 3): Dataset {
  return {
    name: 'rgb',
    split: 'train',
    count,
    rows: 2,
    cols: 2,
    channels,
    images: Uint8Array.from({ length: count * 4 * channels }, (_, i) => i % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
    classNames: ['a', 'b', 'c'],
    files: { images: file, labels: file },
  };
}

afterEach(() => {
  unregisterDataset('rgb');
});

describe('dataset descriptors', () => {
  it('describe the official data sets as 28x28 grey images, first in the registry', () => {
    expect(registeredDatasetNames().slice(0, 2)).toEqual(['mnist', 'fashion-mnist']);
    expect(datasetDescriptor('fashion-mnist')).toMatchObject({ rows: 28, cols: 28, channels: 1, classNames: expect.arrayContaining(['Ankle boot']) });
    expect(unregisterDataset('mnist')).toBe(false);
  });

  it('load a registered data set through its loader and cut it to a stratified limit', async () => {
    registerDataset({ name: 'rgb', title: 'test', rows: 2, cols: 2, channels: 3, classNames: ['a', 'b', 'c'], load: async () => rgb(9) });
    const data = await loadRegisteredDataset('rgb', 'train', { limit: 3, stratified: true });
    expect(data.count).toBe(3);
    expect(data.channels).toBe(3);
    expect([...data.labels].sort()).toEqual([0, 1, 2]);
    expect(data.images.length).toBe(3 * 2 * 2 * 3);
    // Whole images are kept: the third example is image 2 of the full set, all 12 of its bytes.
    expect([...data.images.subarray(24, 36)]).toEqual(Array.from({ length: 12 }, (_, i) => 24 + i));
  });

  it('refuse a loader whose images do not have the described shape, and bad descriptors', async () => {
    registerDataset({ name: 'rgb', title: 'test', rows: 2, cols: 2, channels: 3, classNames: ['a', 'b', 'c'], load: async () => rgb(4, 1) });
    await expect(loadRegisteredDataset('rgb', 'train')).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(loadRegisteredDataset('nope', 'train')).rejects.toMatchObject({ code: 'UNKNOWN_DATASET' });
    expect(() => registerDataset({ name: 'rgb', title: 'again', rows: 2, cols: 2, channels: 3, classNames: [], load: async () => rgb(1) })).toThrow(/already registered/);
    expect(() => registerDataset({ name: 'flat', title: 'bad', rows: 2, cols: 2, channels: 0, classNames: [], load: async () => rgb(1) })).toThrow(/2x2x0/);
  });
});
