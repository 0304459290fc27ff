import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveSeed } from './derive-seed.js';
import { lcg32 } from './lcg32.js';
import { createRng, mulberry32, type Rng } from './mulberry32.js';
import { seededPermutation, shuffledIndices } from './shuffle.js';
import { createRandom, type Random } from './xoshiro128.js';

// Recorded runs, cached subsets and test fixtures depend on these exact streams. The fixture holds
// values and sha256 digests of long streams produced by the generators as they were before they
// moved here (commit 997d65f: @apb/attacks createRng, @apb/datasets createRandom and
// seededPermutation, @apb/scenarios mulberry32 / shuffledIndices / deriveSeed, and the copies in
// the backend, backend-native and scenarios test helpers). Any change to a stream fails here.
interface Fixture {
  long: number;
  mulberry32: { seed: number; first: number[]; sha256: string }[];
  shuffledIndices: { seed: number; n: number; order: number[] }[];
  deriveSeed: { parts: number[]; seed: number }[];
  createRng: { seed: number; next: number[]; int10: number[]; uniform: number[]; signs: number[]; sha256: string }[];
  createRandom: { seed: number; nextUint32: number[]; nextInt10: number[]; nextIntMixed: number[]; sha256: string }[];
  seededPermutation: { seed: number; n: number; order: number[] }[];
  backendSeededValues: { seed: number; values: number[] }[];
  nativeSeededValues: { seed: number; scale: number; values: number[] }[];
  syntheticRandom: { seed: number; first: number[]; sha256: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('./test-fixtures/random-streams.json', import.meta.url), 'utf8')) as Fixture;

const drawsOf = (rng: Rng) => (): number => rng.next();
const wordsOf = (random: Random) => (): number => random.nextUint32();
const take = (n: number, next: () => number): number[] => Array.from({ length: n }, () => next());

/** sha256 of `n` draws written as little-endian float64, as the fixture was made. */
function digest(n: number, next: () => number): string {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = next();
  return createHash('sha256').update(new Uint8Array(values.buffer)).digest('hex');
}

describe('the seeded generators reproduce the streams recorded before they moved to @apb/core', () => {
  it('mulberry32, for small, large, negative and fractional seeds', () => {
    for (const { seed, first, sha256 } of fixture.mulberry32) {
      expect(take(first.length, mulberry32(seed)), `seed ${seed}`).toEqual(first);
      expect(digest(fixture.long, mulberry32(seed)), `seed ${seed}`).toBe(sha256);
    }
  });

  it('shuffledIndices over mulberry32 and deriveSeed', () => {
    for (const { seed, n, order } of fixture.shuffledIndices) expect(shuffledIndices(n, mulberry32(seed))).toEqual(order);
    for (const { parts, seed } of fixture.deriveSeed) expect(deriveSeed(...parts), parts.join(',')).toBe(seed);
  });

  it("createRng (the attacks' generator) and its int, uniform and sign helpers", () => {
    for (const expected of fixture.createRng) {
      const { seed } = expected;
      expect(take(expected.next.length, drawsOf(createRng(seed))), `seed ${seed}`).toEqual(expected.next);
      const ints = createRng(seed);
      expect(take(expected.int10.length, () => ints.int(10))).toEqual(expected.int10);
      expect(Array.from(createRng(seed).uniform(expected.uniform.length, -0.3, 0.3))).toEqual(expected.uniform);
      expect(Array.from(createRng(seed).signs(expected.signs.length))).toEqual(expected.signs);
      expect(digest(fixture.long, drawsOf(createRng(seed)))).toBe(expected.sha256);
    }
  });

  it("createRandom (the data sets' xoshiro128**) and seededPermutation", () => {
    for (const expected of fixture.createRandom) {
      const { seed } = expected;
      expect(take(expected.nextUint32.length, wordsOf(createRandom(seed))), `seed ${seed}`).toEqual(expected.nextUint32);
      const ints = createRandom(seed);
      expect(take(expected.nextInt10.length, () => ints.nextInt(10))).toEqual(expected.nextInt10);
      const mixed = createRandom(seed);
      expect([3, 2 ** 32, 1000003, 2 ** 31 + 1, 7, 2 ** 32 - 1].map((n) => mixed.nextInt(n))).toEqual(expected.nextIntMixed);
      expect(digest(fixture.long, wordsOf(createRandom(seed)))).toBe(expected.sha256);
    }
    for (const { seed, n, order } of fixture.seededPermutation) expect(Array.from(seededPermutation(n, seed))).toEqual(order);
  });

  it('lcg32, as the synthetic data sets and the native kernel parity inputs use it', () => {
    for (const { seed, first, sha256 } of fixture.syntheticRandom) {
      expect(take(first.length, lcg32(seed)), `seed ${seed}`).toEqual(first);
      expect(digest(fixture.long, lcg32(seed))).toBe(sha256);
    }
    for (const { seed, scale, values } of fixture.nativeSeededValues) {
      // backend-native's parity helper: scrambled initial state, values in [-scale, scale).
      const next = lcg32((seed * 2654435761) >>> 0 || 1);
      expect(Array.from(Float32Array.from(take(values.length, next), (u) => (u * 2 - 1) * scale))).toEqual(values);
    }
  });

  it("mulberry32 as the backend's parity helper uses it (values in [-1, 1))", () => {
    for (const { seed, values } of fixture.backendSeededValues) {
      expect(Array.from(Float32Array.from(take(values.length, mulberry32(seed)), (u) => u * 2 - 1))).toEqual(values);
    }
  });
});
