import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Activation codes understood by the addon's fused kernels. */
export const ACTIVATION_CODES = { linear: 0, relu: 1 } as const;

/** Operation codes of the addon's `binary` function. */
export const BINARY_CODES = { add: 0, sub: 1, mul: 2, div: 3, min: 4, max: 5 } as const;

/** The functions the compiled addon exports; see `native/addon.cc`. */
export interface NativeAddon {
  conv2d(x: Float32Array, filter: Float32Array, bias: Float32Array | null, y: Float32Array, geometry: Int32Array, activation: number): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  batchMatMul(
    a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: number,
  ): void;
  maxPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** One Adam step of one variable; `params` is [beta1, beta2, 1-beta1, 1-beta2, 1-beta1^t, 1-beta2^t, epsilon, -learningRate]. */
  adamUpdate(value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, newValue: Float32Array, newM: Float32Array, newV: Float32Array, params: Float32Array): void;
  /** DenseApb's multimodal memory step (see `native/apb-step.cc`); writes `next` ([1, h]). */
  apbMultimodalStep(
    gradientSum: Float32Array, apbWeights: Float32Array, memories: Float32Array, next: Float32Array, h: number, n: number,
    eps: number, sign: number, accumulate: boolean, budgeted: boolean, clip: number | null,
  ): void;
  relu(x: Float32Array, y: Float32Array): void;
  sign(x: Float32Array, y: Float32Array): void;
  clipByValue(x: Float32Array, y: Float32Array, min: number, max: number): void;
  step(x: Float32Array, y: Float32Array, alpha: number): void;
  sum(x: Float32Array, out: Float32Array, rows: number, columns: number, leading: boolean): void;
  setThreads(threads: number): number;
  info(): { threads: number; onednn: string; isa: 'avx512' | 'avx2' | 'baseline' };
}

/** Outcome of loading the addon: the addon, or the one-line reason it is unavailable. */
export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

// src/ and dist/ both sit one level below the package root, where node-gyp writes build/.
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const addonPath = `${packageRoot}build/Release/apb_native.node`;
const statusPath = `${packageRoot}build/status.json`;

let cached: AddonLoad | undefined;

function buildFailureReason(): string | undefined {
  if (!existsSync(statusPath)) return undefined;
  try {
    const status = JSON.parse(readFileSync(statusPath, 'utf8')) as { ok?: boolean; reason?: string | null };
    return status.ok === false && status.reason ? status.reason : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the compiled addon once; never throws. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  if (process.env.APB_NATIVE_DISABLE === '1') {
    cached = { ok: false, reason: 'disabled by APB_NATIVE_DISABLE=1' };
  } else if (!existsSync(addonPath)) {
    const reason = buildFailureReason();
    cached = { ok: false, reason: reason ? `the addon failed to build at install: ${reason}` : 'the addon was never built' };
  } else {
    try {
      cached = { ok: true, addon: createRequire(import.meta.url)(addonPath) as NativeAddon };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      cached = { ok: false, reason: `the addon failed to load: ${message.split('\n')[0] ?? message}` };
    }
  }
  return cached;
}
