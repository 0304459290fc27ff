import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { trainValidationSplit } from './split.js';
import { syntheticSplit } from './testing-internal/fixtures.js';

const { images, labels } = syntheticSplit(20, 2, 2, 4);
const file = { path: 'x', source: 'custom' as const, bytes: 0, sha256: '', contentSha256: '', verifiedBy: 'consistency' as const };
const dataset: Dataset = { name: 'toy', split: 'train', count: 20, rows: 2, cols: 2, images, labels, classNames: ['a', 'b', 'c', 'd'], files: { images: file, labels: file } };

// Each synthetic image is identified by its 4 pixel bytes.
const keys = (d: Dataset): string[] => Array.from({ length: d.count }, (_, i) => d.images.subarray(i * 4, i * 4 + 4).join(','));

describe('trainValidationSplit', () => {
  it('splits into disjoint parts that together are the whole dataset', () => {
    const { train, validation } = trainValidationSplit(dataset, { validation: 0.25, seed: 3 });
    expect(train.count).toBe(15);
    expect(validation.count).toBe(5);
    expect([...keys(train), ...keys(validation)].sort()).toEqual(keys(dataset).sort());
    expect(train.labels.length).toBe(15);
    expect(validation.classNames).toEqual(dataset.classNames);
  });

  it('keeps each image with its label', () => {
    const { validation } = trainValidationSplit(dataset, { validation: 5, seed: 1 });
    const all = keys(dataset);
    keys(validation).forEach((key, i) => expect(validation.labels[i]).toBe(labels[all.indexOf(key)]));
  });

  it('is fixed by the seed', () => {
    const a = trainValidationSplit(dataset, { validation: 4, seed: 8 });
    const b = trainValidationSplit(dataset, { validation: 4, seed: 8 });
    const c = trainValidationSplit(dataset, { validation: 4, seed: 9 });
    expect(keys(a.validation)).toEqual(keys(b.validation));
    expect(keys(a.validation)).not.toEqual(keys(c.validation));
  });

  it('reads a whole number as a count, so 1 holds out one example', () => {
    expect(trainValidationSplit(dataset, { validation: 1, seed: 1 }).validation.count).toBe(1);
  });

  it('rejects sizes that leave either part empty', () => {
    for (const bad of [0, 0.01, 20, -2, 2.5, Number.NaN]) {
      expect(() => trainValidationSplit(dataset, { validation: bad, seed: 1 })).toThrow(/option validation/);
    }
    expect(() => trainValidationSplit(dataset, { validation: 2, seed: 0.1 })).toThrow(/option seed/);
  });
});
