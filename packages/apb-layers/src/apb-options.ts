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

/**
 * How the multimodal APB steps its memories `m` (paper Alg. 2: `m <- m + s eps_m sign(G_sum W_ap^T)`).
 *
 * - `budgeted` (default): `eps_m` is recomputed every step so that the step moves the largest entry of
 *   `delta = m W_ap` by exactly `eps` and no entry by more, the budget of a naive APB step, whatever
 *   `h` is (a step that clipping changed is shortened back into the budget, so it may move less);
 *   `m` starts at 0 and is clipped to `1/h` unless `clip` says otherwise.
 * - `fixed`: `eps_m = eps`, `m` starts at `+-eps` and is unbounded unless `clip` is set. A step then
 *   moves `delta` by up to `eps ||W_ap[:, j]||_1`, which grows like `sqrt(h)`; the behaviour of
 *   earlier versions, kept so the difference can be shown.
 *
 * The naive APB ignores it.
 */
export type ApbMemoryStep = 'budgeted' | 'fixed';

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
   * mean editing `W_ap`, which belongs to the optimizer. `null`: no bound (the paper has none).
   * Absent: no bound, except for the `budgeted` multimodal step, whose default is `1/h` (so
   * `||m||_1 <= 1`; see {@link defaultMemoryClip}).
   */
  clip?: number | null;
  /** See {@link ApbMemoryStep}. Default `budgeted`. */
  memoryStep?: ApbMemoryStep;
}

/** Defaults for {@link ApbUpdateOptions}, filled in by the layer. */
export const APB_DEFAULTS = { eps: 0.01, direction: 'ascent', mode: 'accumulate', clip: null, memoryStep: 'budgeted' } as const;

/**
 * The default bound on the memories of the `budgeted` multimodal step, `1/h`. Why: an Adam step moves
 * every entry of `W_ap` by about `lr`, which moves `delta_j = sum_k m_k W_ap[k, j]` by up to
 * `lr ||m||_1`; an ordinary bias moves by about `lr`. `|m_k| <= 1/h` gives `||m||_1 <= 1`, so the
 * optimizer moves `delta` through `W_ap` no faster than it would move a plain bias. Unbounded, `m`
 * grows by `eps_m` a step and this rate grows with `h` and with training time.
 */
export function defaultMemoryClip(memories: number): number {
  return 1 / memories;
}

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
  /** `undefined`: the layer's default (see {@link ApbUpdateOptions.clip}). */
  clip: number | null | undefined;
  memoryStep: ApbMemoryStep;
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
  const clip = options.clip;
  if (clip !== null && clip !== undefined && (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0)) {
    throw invalid(where, 'clip', `must be a finite number > 0 or null, got ${String(clip)}`, 'Pass an l-inf bound such as clip: 0.3, or leave it out.');
  }
  const memoryStep = options.memoryStep ?? APB_DEFAULTS.memoryStep;
  if (memoryStep !== 'budgeted' && memoryStep !== 'fixed') {
    throw invalid(where, 'memoryStep', `must be 'budgeted' or 'fixed', got ${String(memoryStep)}`, "Use memoryStep: 'budgeted' (default) or 'fixed' (the unscaled step of earlier versions).");
  }
  return { eps, direction, mode, clip, memoryStep };
}
