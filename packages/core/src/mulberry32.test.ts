import { describe, expect, it } from 'vitest';
import { createRng, mulberry32, scrambleSeed } from './mulberry32.js';

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

describe('mulberry32', () => {
  it('repeats its sequence for a seed, stays in [0, 1) and differs between seeds', () => {
    const a = mulberry32(9);
    const first = Array.from({ length: 1000 }, () => a());
    for (const v of first) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    const b = mulberry32(9);
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    const c = mulberry32(10);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
  });

  it('reduces the seed to 32 bits', () => {
    const a = mulberry32(-1);
    const b = mulberry32(2 ** 32 - 1);
    expect(Array.from({ length: 10 }, () => a())).toEqual(Array.from({ length: 10 }, () => b()));
  });
});

describe('scrambleSeed', () => {
  it('sends neighbouring seeds to distant 32-bit states', () => {
    const states = [1, 2, 3, 4].map(scrambleSeed);
    for (const s of states) expect(s).toBe(s >>> 0);
    for (let i = 1; i < states.length; i++) expect(Math.abs(states[i]! - states[i - 1]!)).toBeGreaterThan(2 ** 20);
  });

  it('starts createRng where mulberry32 of the scrambled seed starts', () => {
    const plain = mulberry32(scrambleSeed(12));
    const rng = createRng(12);
    expect(Array.from({ length: 20 }, () => rng.next())).toEqual(Array.from({ length: 20 }, () => plain()));
  });
});
