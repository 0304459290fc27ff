import { DatasetError } from './errors.js';

/** Checks a `limit` option: a positive integer. */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new DatasetError(`option limit: expected a positive integer, got ${limit}`, {
      code: 'BAD_OPTION',
      suggestion: 'pass limit as a whole number of examples, e.g. 1000, or leave it out for the whole split',
    });
  }
}

/**
 * Indices of a `limit`-sized subset, in ascending order: the first `limit` examples, or with
 * `stratified` the first examples of each class in numbers proportional to the class sizes
 * (largest remainder; ties go to the lower label). Deterministic, so no seed is needed.
 */
export function subsetIndices(labels: Uint8Array, limit: number, stratified: boolean, numClasses: number): Uint32Array {
  const n = labels.length;
  if (limit >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  if (!stratified) return Uint32Array.from({ length: limit }, (_, i) => i);
  const sizes = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) sizes[labels[i]!]! += 1;
  const quotas = sizes.map((size) => Math.floor((limit * size) / n));
  let left = limit - quotas.reduce((a, b) => a + b, 0);
  // Exact integer remainders (limit * size mod n) avoid float ties deciding differently by platform.
  const order = sizes
    .map((size, label) => ({ label, remainder: (limit * size) % n }))
    .sort((a, b) => b.remainder - a.remainder || a.label - b.label);
  for (const { label } of order) {
    if (left === 0) break;
    if (quotas[label]! < sizes[label]!) {
      quotas[label]! += 1;
      left -= 1;
    }
  }
  const out = new Uint32Array(limit);
  let k = 0;
  for (let i = 0; i < n && k < limit; i++) {
    const label = labels[i]!;
    if (quotas[label]! > 0) {
      quotas[label]! -= 1;
      out[k++] = i;
    }
  }
  return out;
}
