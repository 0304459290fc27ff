/**
 * Means and 95% intervals over seeds, for tables that compare models trained with several seeds.
 * The interval is Student's t interval of the mean: with the handful of seeds a reproduction
 * affords, the normal approximation would claim far more certainty than the data hold.
 */

/** A mean over seeds with its 95% interval (`null` bounds when fewer than two values). */
export interface Estimate {
  mean: number | null;
  /** Lower and upper bound of the 95% interval of the mean; null with fewer than 2 values. */
  low: number | null;
  high: number | null;
  /** Values averaged (seeds). */
  n: number;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `degrees` degrees of freedom (normal beyond 30). */
export function tQuantile975(degrees: number): number {
  if (!Number.isInteger(degrees) || degrees < 1) throw new RangeError(`degrees of freedom must be a whole number >= 1, got ${degrees}`);
  return T_975[degrees - 1] ?? 1.96;
}

/** Mean and 95% t interval of the finite values among `values`. */
export function estimate(values: readonly (number | null | undefined)[]): Estimate {
  const present = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  const n = present.length;
  if (n === 0) return { mean: null, low: null, high: null, n: 0 };
  const mean = present.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, low: null, high: null, n };
  const variance = present.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half, n };
}

/**
 * Paired differences `a - b` over the keys both sides measured (the same seeds), as an estimate:
 * pairing removes the seed-to-seed variation both models share.
 */
export function pairedDifference(a: ReadonlyMap<number, number | null>, b: ReadonlyMap<number, number | null>): Estimate & { keys: number[] } {
  const keys = [...a.keys()].filter((key) => {
    const left = a.get(key);
    const right = b.get(key);
    return typeof left === 'number' && Number.isFinite(left) && typeof right === 'number' && Number.isFinite(right);
  });
  keys.sort((x, y) => x - y);
  return { ...estimate(keys.map((key) => (a.get(key) as number) - (b.get(key) as number))), keys };
}

/** What a paired difference says of a claim that it is positive. */
export type Verdict = 'supported' | 'not supported' | 'undecided';

/**
 * `supported` when the whole 95% interval of the difference is above zero, `not supported` when it
 * is entirely below (the opposite holds), else `undecided` (too few seeds, or too close to call).
 */
export function verdictOf(difference: Estimate): Verdict {
  if (difference.low === null || difference.high === null) return 'undecided';
  if (difference.low > 0) return 'supported';
  if (difference.high < 0) return 'not supported';
  return 'undecided';
}

/** `97.66% [96.10, 99.22] (3 seeds)`, `97.66% (1 seed)` or `–`, for accuracies in [0, 1]. */
export function formatEstimate(value: Estimate, options: { points?: boolean } = {}): string {
  if (value.mean === null) return '–';
  const scale = (x: number) => (x * 100).toFixed(2);
  const sign = (x: number) => (options.points && x > 0 ? '+' : '');
  const main = options.points ? `${sign(value.mean)}${scale(value.mean)}` : `${scale(value.mean)}%`;
  const seeds = `${value.n} seed${value.n === 1 ? '' : 's'}`;
  if (value.low === null || value.high === null) return `${main} (${seeds})`;
  return `${main} [${scale(value.low)}, ${scale(value.high)}] (${seeds})`;
}
