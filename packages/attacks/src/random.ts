/**
 * A small seeded pseudo-random generator (mulberry32). Attacks draw every random number from one
 * of these, so a run is reproducible on every platform, unlike `Math.random`.
 */
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

/** Creates the generator for `seed` (any finite number; it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  // Mix the seed once so that nearby seeds (1, 2, 3, ...) start far apart.
  let state = Math.imul((Math.trunc(seed) ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
