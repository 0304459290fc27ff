import { describe, expect, it } from 'vitest';

import { estimate, formatEstimate, pairedDifference, tQuantile975, verdictOf } from './statistics.js';

describe('estimate', () => {
  it('gives the mean and the Student t 95% interval, computed by hand for three seeds', () => {
    // mean 0.92, sample sd 0.02, half-width t(0.975, 2) * 0.02 / sqrt(3) = 4.303 * 0.011547 = 0.049687
    const value = estimate([0.9, 0.92, 0.94]);
    expect(value.n).toBe(3);
    expect(value.mean).toBeCloseTo(0.92, 12);
    expect(value.low).toBeCloseTo(0.92 - 0.0496867, 6);
    expect(value.high).toBeCloseTo(0.92 + 0.0496867, 6);
  });

  it('has no interval for one value and no mean for none; missing values are left out', () => {
    expect(estimate([0.5])).toEqual({ mean: 0.5, low: null, high: null, n: 1 });
    expect(estimate([])).toEqual({ mean: null, low: null, high: null, n: 0 });
    expect(estimate([null, Number.NaN, 0.5, undefined]).n).toBe(1);
  });

  it('uses t quantiles that shrink to the normal one', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(200)).toBe(1.96);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });
});

describe('pairedDifference', () => {
  it('pairs by seed, ignoring seeds one side lacks', () => {
    const a = new Map([[1, 0.9], [2, 0.8], [3, 0.7], [4, 0.6]]);
    const b = new Map<number, number | null>([[1, 0.85], [2, 0.78], [3, 0.69], [5, 0.1]]);
    const difference = pairedDifference(a, b);
    expect(difference.keys).toEqual([1, 2, 3]);
    expect(difference.mean).toBeCloseTo((0.05 + 0.02 + 0.01) / 3, 12);
    expect(difference.low).not.toBeNull();
  });

  it('is not fooled by a large shared seed effect that an unpaired comparison would drown in', () => {
    const a = new Map([[1, 0.31], [2, 0.61], [3, 0.91]]);
    const b = new Map([[1, 0.3], [2, 0.6], [3, 0.9]]);
    expect(verdictOf(pairedDifference(a, b))).toBe('supported');
    expect(verdictOf(pairedDifference(b, a))).toBe('not supported');
  });
});

describe('verdictOf', () => {
  it('is undecided when the interval holds zero or is missing', () => {
    expect(verdictOf({ mean: 0.01, low: -0.02, high: 0.04, n: 3 })).toBe('undecided');
    expect(verdictOf({ mean: 0.01, low: null, high: null, n: 1 })).toBe('undecided');
    expect(verdictOf({ mean: 0.05, low: 0.01, high: 0.09, n: 3 })).toBe('supported');
  });
});

describe('formatEstimate', () => {
  it('writes percentages with the interval and the number of seeds', () => {
    expect(formatEstimate({ mean: 0.9766, low: 0.961, high: 0.9922, n: 3 })).toBe('97.66% [96.10, 99.22] (3 seeds)');
    expect(formatEstimate({ mean: 0.5, low: null, high: null, n: 1 })).toBe('50.00% (1 seed)');
    expect(formatEstimate({ mean: null, low: null, high: null, n: 0 })).toBe('–');
    expect(formatEstimate({ mean: 0.012, low: -0.01, high: 0.034, n: 3 }, { points: true })).toBe('+1.20 [-1.00, 3.40] (3 seeds)');
  });
});
