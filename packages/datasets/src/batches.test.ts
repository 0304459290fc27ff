import { describe, expect, it } from 'vitest';
import { batches } from './batches.js';
import { syntheticSplit } from './testing-internal/fixtures.js';

const { images, labels } = syntheticSplit(10, 2, 2, 3);
const dataset = { count: 10, rows: 2, cols: 2, images, labels };

describe('batches', () => {
  it('visits every example exactly once, with its own pixels and label', () => {
    const seen: number[] = [];
    for (const batch of batches(dataset, { batchSize: 4, seed: 1 })) {
      for (let i = 0; i < batch.count; i++) {
        const index = batch.indices[i]!;
        seen.push(index);
        expect(batch.labels[i]).toBe(labels[index]);
        expect([...batch.images.subarray(i * 4, i * 4 + 4)]).toEqual([...images.subarray(index * 4, index * 4 + 4)]);
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives the same batches for the same seed and another order for another seed', () => {
    const order = (seed: number): number[] => [...batches(dataset, { batchSize: 3, seed })].flatMap((b) => [...b.indices]);
    expect(order(4)).toEqual(order(4));
    expect(order(4)).not.toEqual(order(5));
  });

  it('sizes batches as asked and drops a short last batch only with dropLast', () => {
    expect([...batches(dataset, { batchSize: 4, seed: 0 })].map((b) => b.count)).toEqual([4, 4, 2]);
    expect([...batches(dataset, { batchSize: 4, seed: 0, dropLast: true })].map((b) => b.count)).toEqual([4, 4]);
  });

  it('keeps the dataset order without shuffle', () => {
    const order = [...batches(dataset, { batchSize: 3, seed: 0, shuffle: false })].flatMap((b) => [...b.indices]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects a bad batch size or seed by option name', () => {
    expect(() => [...batches(dataset, { batchSize: 0, seed: 0 })]).toThrow(/option batchSize/);
    expect(() => [...batches(dataset, { batchSize: 2, seed: 0.5 })]).toThrow(/option seed/);
  });
});
