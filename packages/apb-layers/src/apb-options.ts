import { ApbError } from '@apb/core';

/**
 * Which adversarial perturbation bias replaces the layer's bias (paper Section 3).
 *
 * - `naive`: `delta` in R^n, a bias that is moved by FGSM steps instead of by the optimizer.
 * - `multimodal`: `delta = m W_ap` with bias memories `m` in R^{1 x h} (moved by FGSM steps) and
 *   bias weights `W_ap` in R^{h x n} (trained by the optimizer like any weight).
 */
export type ApbSpec = { kind: 'naive' } | { kind: 'multimodal'; memories: number };

/**
 * Sign of the APB step. The paper's text (Alg. 2) is an FGSM *ascent* on the loss; the authors'
 * later "Beneficial Perturbations Network" uses the opposite sign. Ascent is the default.
 */
export type ApbDirection = 'ascent' | 'descent';

/**
 * How each step combines with the stored perturbation. The paper's Alg. 2 gives `d delta = sign(...)`
 * without saying whether it is added to the stored value (like a parameter update) or replaces it
 * (like an FGSM perturbation recomputed per batch); `accumulate` adds, `reset` replaces.
 */
export type ApbMode = 'accumulate' | 'reset';

/** The FGSM-side options of an APB layer, shared by `denseApb` and `lenet`. */
export interface ApbUpdateOptions {
  /**
   * The APB step size. The paper calls it the "adversarial perturbation budget" and never states its
   * value for the bias (its 0.3 is the attack's input-space budget), so it is a free hyper-parameter.
   * Default 0.01.
   */
  eps?: number;
  /** See {@link ApbDirection}. Default `ascent`. */
  direction?: ApbDirection;
  /** See {@link ApbMode}. Default `accumulate`. */
  mode?: ApbMode;
  /**
   * Optional l-inf bound applied after every step. For `naive` it bounds `delta` itself; for
   * `multimodal` it bounds the memories `m` (the FGSM-moved part), because bounding `m W_ap` would
   * mean editing `W_ap`, which belongs to the optimizer. `null`/absent: no bound (the paper has none).
   */
  clip?: number | null;
}

/** Defaults for {@link ApbUpdateOptions}, filled in by the layer. */
export const APB_DEFAULTS = { eps: 0.01, direction: 'ascent', mode: 'accumulate', clip: null } as const;

/** Throws an `ApbError` naming the first key of `value` not in `allowed`. */
export function rejectUnknownOptions(value: object, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ApbError(`${where}: unknown option '${key}'`, {
        code: 'UNKNOWN_OPTION',
        suggestion: `Remove '${key}'; allowed options are: ${allowed.join(', ')}.`,
      });
    }
  }
}

function invalid(where: string, option: string, detail: string, suggestion: string): ApbError {
  return new ApbError(`${where}: option '${option}' ${detail}`, { code: 'INVALID_OPTION', suggestion });
}

/** Validates an {@link ApbSpec}; throws a one-line `ApbError` naming the bad field. */
export function validateApbSpec(spec: unknown, where: string): ApbSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw invalid(where, 'apb', `must be an object, got ${String(spec)}`, "Use { kind: 'naive' } or { kind: 'multimodal', memories: 625 }.");
  }
  const record = spec as Record<string, unknown>;
  if (record.kind === 'naive') {
    rejectUnknownOptions(record, ['kind'], `${where} apb`);
    return { kind: 'naive' };
  }
  if (record.kind === 'multimodal') {
    rejectUnknownOptions(record, ['kind', 'memories'], `${where} apb`);
    const memories = record.memories;
    if (typeof memories !== 'number' || !Number.isInteger(memories) || memories < 1) {
      throw invalid(where, 'apb.memories', `must be a positive integer, got ${String(memories)}`, 'Pass the number of bias memories h, e.g. memories: 625.');
    }
    return { kind: 'multimodal', memories };
  }
  throw invalid(where, 'apb.kind', `must be 'naive' or 'multimodal', got ${String(record.kind)}`, "Use kind: 'naive' or kind: 'multimodal'.");
}

/** Resolved, validated {@link ApbUpdateOptions}. */
export interface ResolvedApbUpdate {
  eps: number;
  direction: ApbDirection;
  mode: ApbMode;
  clip: number | null;
}

/** Fills defaults into {@link ApbUpdateOptions} and validates each field by name. */
export function resolveApbUpdate(options: ApbUpdateOptions, where: string): ResolvedApbUpdate {
  const eps = options.eps ?? APB_DEFAULTS.eps;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw invalid(where, 'eps', `must be a finite number >= 0, got ${String(eps)}`, 'Pass the APB step size, e.g. eps: 0.01.');
  }
  const direction = options.direction ?? APB_DEFAULTS.direction;
  if (direction !== 'ascent' && direction !== 'descent') {
    throw invalid(where, 'direction', `must be 'ascent' or 'descent', got ${String(direction)}`, "Use direction: 'ascent' (the paper) or 'descent'.");
  }
  const mode = options.mode ?? APB_DEFAULTS.mode;
  if (mode !== 'accumulate' && mode !== 'reset') {
    throw invalid(where, 'mode', `must be 'accumulate' or 'reset', got ${String(mode)}`, "Use mode: 'accumulate' or 'reset'.");
  }
  const clip = options.clip ?? null;
  if (clip !== null && (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0)) {
    throw invalid(where, 'clip', `must be a finite number > 0 or null, got ${String(clip)}`, 'Pass an l-inf bound such as clip: 0.3, or leave it out.');
  }
  return { eps, direction, mode, clip };
}
