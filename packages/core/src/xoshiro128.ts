/**
 * A seeded source of 32-bit unsigned integers. Built only from 32-bit integer operations
 * (`Math.imul`, shifts, `>>> 0`), so a seed gives the same sequence on every platform and engine.
 */
export interface Random {
  /** The next integer in [0, 2^32). */
  nextUint32(): number;
  /** An integer in [0, n), without modulo bias. */
  nextInt(n: number): number;
}

function splitMix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return { state: next, value: z };
}

/**
 * xoshiro128** (Blackman & Vigna), its 128-bit state filled from the seed by a SplitMix32-style
 * mixer so that nearby seeds give unrelated streams. `@apb/datasets` shuffles, batches and splits
 * with it.
 *
 * @param seed any integer; only its low 32 bits are used.
 * @throws RangeError when `seed` is not an integer.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${seed}`);
  }
  let mix = seed >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const step = splitMix32(mix);
    mix = step.state;
    s[i] = step.value;
  }
  // An all-zero state would only ever produce zeros.
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;

  const nextUint32 = (): number => {
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const times5 = Math.imul(s1, 5) >>> 0;
    const rotated = ((times5 << 7) | (times5 >>> 25)) >>> 0;
    const result = Math.imul(rotated, 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    s[0] = n0;
    s[1] = n1;
    s[2] = (n2 ^ t) >>> 0;
    s[3] = ((n3 << 11) | (n3 >>> 21)) >>> 0;
    return result;
  };

  const nextInt = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`nextInt needs an integer in [1, 2^32], got ${n}`);
    }
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = nextUint32();
      if (x < limit) return x % n;
    }
  };

  return { nextUint32, nextInt };
}
