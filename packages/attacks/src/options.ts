import { ApbError } from '@apb/core';

// Every check throws one ApbError whose message names the option and the allowed range, so a CLI
// user sees exactly which flag to fix.

function invalid(owner: string, option: string, value: unknown, allowed: string): ApbError {
  return new ApbError(`${owner}: option "${option}" must be ${allowed}, got ${String(value)}`, {
    code: 'INVALID_OPTION',
    suggestion: `Pass ${option} as ${allowed}.`,
  });
}

/** Checks a finite number in [min, max] (inclusive). */
export function checkNumber(owner: string, option: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw invalid(owner, option, value, range);
  }
  return value;
}

/** Checks a finite number strictly above `min`. */
export function checkPositive(owner: string, option: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= min) {
    throw invalid(owner, option, value, `a finite number > ${min}`);
  }
  return value;
}

/** Checks an integer >= `min`. */
export function checkInteger(owner: string, option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(owner, option, value, `an integer >= ${min}`);
  }
  return value;
}

/** Checks one of a fixed set of strings. */
export function checkChoice<T extends string>(owner: string, option: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalid(owner, option, value, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  }
  return value as T;
}

/** Checks a boolean. */
export function checkBoolean(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(owner, option, value, 'true or false');
  return value;
}

/** Checks a non-empty list of epsilons, each a finite number in [0, 1] (inputs live in [0, 1]). */
export function checkEpsilons(owner: string, epsilons: unknown): number[] {
  if (!Array.isArray(epsilons) || epsilons.length === 0) {
    throw invalid(owner, 'epsilons', epsilons, 'a non-empty list of numbers in [0, 1]');
  }
  return epsilons.map((eps) => checkNumber(owner, 'epsilons', eps, 0, 1));
}
