import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

describe('createRng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = createRng(5).uniform(100, 0, 1);
    expect(createRng(5).uniform(100, 0, 1)).toEqual(a);
    expect(createRng(6).uniform(100, 0, 1)).not.toEqual(a);
  });

  it('draws uniform values in range with the right mean', () => {
    const values = createRng(1).uniform(20_000, -0.3, 0.3);
    let sum = 0;
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(-0.3);
      expect(v).toBeLessThan(0.3);
      sum += v;
    }
    expect(Math.abs(sum / values.length)).toBeLessThan(0.01);
  });

  it('draws integers below n and signs of both kinds', () => {
    const rng = createRng(2);
    const seen = new Set(Array.from({ length: 200 }, () => rng.int(5)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    const signs = rng.signs(1000);
    expect(new Set(signs)).toEqual(new Set([-1, 1]));
  });
});
