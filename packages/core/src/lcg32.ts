/**
 * The Numerical Recipes 32-bit linear congruential generator (`state * 1664525 + 1013904223`),
 * giving `state / 2^32` in [0, 1). Statistically weak: it exists only because test fixtures
 * (synthetic data sets, kernel parity inputs) were generated with it and must stay the same. Use
 * {@link mulberry32} or {@link createRandom} for anything new.
 *
 * @param seed the initial state; it is reduced to its low 32 bits (`seed >>> 0`).
 */
export function lcg32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
