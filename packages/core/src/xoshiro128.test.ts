import { describe, expect, it } from 'vitest';
import { seededPermutation, shuffleInPlace } from './shuffle.js';
import { createRandom } from './xoshiro128.js';

// An independent reference in BigInt arithmetic: if the 32-bit tricks in xoshiro128.ts ever
// depended on the platform, the two would disagree.
function referenceStream(seed: number, n: number): bigint[] {
  const M = 0xffffffffn;
  const imul = (a: bigint, b: bigint): bigint => (a * b) & M;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  let mix = BigInt(seed >>> 0);
  const s: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    mix = (mix + 0x9e3779b9n) & M;
    let z = mix;
    z = imul(z ^ (z >> 16n), 0x85ebca6bn);
    z = imul(z ^ (z >> 13n), 0xc2b2ae35n);
    s.push(z ^ (z >> 16n));
  }
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    out.push(imul(rotl(imul(s[1]!, 5n), 7n), 9n));
    const t = (s[1]! << 9n) & M;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
  }
  return out;
}

describe('createRandom', () => {
  it('matches an independent BigInt implementation of xoshiro128** for several seeds', () => {
    for (const seed of [0, 1, 42, 123456789, -1, 2 ** 31]) {
      const random = createRandom(seed);
      const ours = Array.from({ length: 64 }, () => BigInt(random.nextUint32()));
      expect(ours).toEqual(referenceStream(seed, 64));
    }
  });

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    const c = createRandom(6);
    const seqA = Array.from({ length: 10 }, () => a.nextUint32());
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 10 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('draws integers in [0, n) that cover every value roughly evenly', () => {
    const random = createRandom(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[random.nextInt(7)]! += 1;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('rejects a non-integer seed and a bad range', () => {
    expect(() => createRandom(1.5)).toThrow(/seed must be an integer/);
    expect(() => createRandom(1).nextInt(0)).toThrow(/nextInt/);
  });
});

describe('seededPermutation', () => {
  it('is a permutation of 0..n-1 and is fixed by the seed', () => {
    const p = seededPermutation(1000, 9);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(seededPermutation(1000, 9)).toEqual(p);
    expect(seededPermutation(1000, 10)).not.toEqual(p);
  });

  it('puts every element in every position about equally often', () => {
    const positions = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    for (let seed = 0; seed < 4000; seed++) {
      const p = seededPermutation(4, seed);
      p.forEach((value, position) => (positions[value]![position]! += 1));
    }
    for (const row of positions) for (const count of row) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });

  it('shuffles in place and returns the same array', () => {
    const values = new Uint32Array([1, 2, 3, 4, 5]);
    expect(shuffleInPlace(values, createRandom(1))).toBe(values);
    expect([...values].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
