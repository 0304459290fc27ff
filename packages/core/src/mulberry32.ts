/**
 * mulberry32 (Tommy Ettinger): a 32-bit seeded generator of floats in [0, 1), built only from
 * 32-bit integer operations, so a seed gives the same sequence on every platform and engine.
 * Training shuffles, subsets and the attacks' random starts draw from it; recorded runs depend on
 * its exact stream.
 *
 * @param seed any number; it is reduced to its low 32 bits (`seed >>> 0`).
 * @returns a function giving the next value in [0, 1), a multiple of 2^-32.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Spreads a small seed over 32 bits (one multiply), so that nearby seeds (1, 2, 3, ...) start
 * mulberry32 far apart. {@link createRng} applies it; {@link mulberry32} alone does not.
 *
 * @param seed any finite number; its fraction is dropped and it is reduced to 32 bits.
 */
export function scrambleSeed(seed: number): number {
  return Math.imul((Math.trunc(seed) ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
}

/** A seeded float generator with the helpers attacks need (see {@link createRng}). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** `length` uniform values in [low, high). */
  uniform(length: number, low: number, high: number): Float32Array;
  /** `length` values, each `-1` or `+1` with equal probability. */
  signs(length: number): Float32Array;
}

/**
 * The generator behind `@apb/attacks`: {@link mulberry32} started from {@link scrambleSeed}(`seed`),
 * with integer, uniform and sign helpers. Attacks draw every random number from one of these, so
 * an attack is reproducible on every platform, unlike `Math.random`.
 *
 * @param seed any finite number (see {@link scrambleSeed}).
 */
export function createRng(seed: number): Rng {
  const next = mulberry32(scrambleSeed(seed));
  return {
    next,
    int: (n) => Math.floor(next() * n),
    uniform(length, low, high) {
      const out = new Float32Array(length);
      const span = high - low;
      for (let i = 0; i < length; i++) out[i] = low + span * next();
      return out;
    },
    signs(length) {
      const out = new Float32Array(length);
      for (let i = 0; i < length; i++) out[i] = next() < 0.5 ? -1 : 1;
      return out;
    },
  };
}
