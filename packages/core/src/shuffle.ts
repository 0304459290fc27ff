import { createRandom, type Random } from './xoshiro128.js';

/** Shuffles `values` in place (Fisher-Yates, drawing from `random`) and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(values: T, random: Random): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
  return values;
}

/** `[0, 1, ..., n - 1]` in an order fixed by `seed` ({@link createRandom}), identical on every platform. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, createRandom(seed));
}

/**
 * A Fisher-Yates permutation of `0..n-1` drawing floats in [0, 1) from `random` (e.g.
 * {@link mulberry32}); the order `@apb/scenarios` trains in.
 */
export function shuffledIndices(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
