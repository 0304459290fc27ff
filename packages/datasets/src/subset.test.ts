import { describe, expect, it } from 'vitest';
import { checkLimit, subsetIndices } from './subset.js';

describe('subsetIndices', () => {
  it('takes the first N examples without stratification', () => {
    expect([...subsetIndices(new Uint8Array([2, 2, 1, 0, 1]), 3, false, 3)]).toEqual([0, 1, 2]);
  });

  it('keeps class proportions with stratification, by largest remainder', () => {
    // 6 of class 0, 3 of class 1, 1 of class 2; limit 5 -> exact shares 3, 1.5, 0.5.
    // Floors 3, 1, 0; one left over; classes 1 and 2 tie on remainder, the lower label wins.
    const labels = new Uint8Array([0, 1, 0, 2, 0, 1, 0, 0, 1, 0]);
    const indices = subsetIndices(labels, 5, true, 3);
    expect([...indices]).toEqual([0, 1, 2, 4, 5]);
    expect([...indices].map((i) => labels[i])).toEqual([0, 1, 0, 0, 1]);
  });

  it('gives equal counts per class for a balanced set', () => {
    const labels = Uint8Array.from({ length: 100 }, (_, i) => i % 10);
    const picked = [...subsetIndices(labels, 20, true, 10)].map((i) => labels[i]!);
    expect(new Array(10).fill(0).map((_, c) => picked.filter((l) => l === c).length)).toEqual(new Array(10).fill(2));
  });

  it('returns everything when the limit is at least the size', () => {
    expect([...subsetIndices(new Uint8Array([1, 0]), 5, true, 2)]).toEqual([0, 1]);
  });
});

describe('checkLimit', () => {
  it('accepts positive integers and rejects anything else with a one-line message', () => {
    expect(() => checkLimit(undefined)).not.toThrow();
    expect(() => checkLimit(10)).not.toThrow();
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => checkLimit(bad)).toThrow(/option limit: expected a positive integer/);
  });
});
