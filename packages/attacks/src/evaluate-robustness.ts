import * as tf from '@tensorflow/tfjs-core';
import { ApbError } from '@apb/core';
import type { Attack } from './attack.js';
import { logitsOf, type Classifier } from './classifier.js';
import { DatasetView, seededSubset, type RobustnessData } from './dataset-view.js';
import { attackRobustness, classify, mean } from './accuracy.js';
import { collapsedDiagnostic, runDiagnostics, type AttackOutcome, type Diagnostic } from './diagnostics.js';
import { checkEpsilons, checkInteger } from './options.js';

/** Progress of {@link evaluateRobustness}, reported after every batch. */
export interface RobustnessProgress {
  /** Attack name, or `clean` for the clean pass and `diagnostics` for the extra runs. */
  attack: string;
  eps: number;
  done: number;
  total: number;
}

/** Options of {@link evaluateRobustness}. */
export interface EvaluateRobustnessOptions {
  /** l-inf radii, each in [0, 1]; every attack runs at every one. */
  epsilons: number[];
  /** Examples per batch, >= 1. Default 256. */
  batchSize?: number;
  /**
   * Per attack name, the most examples it runs on, e.g. `{ square: 1000 }`: a fixed seeded subset
   * (the same examples for every attack with the same limit). Default: all.
   */
  subset?: Record<string, number>;
  /** Seed of the subsets (and of the diagnostics' random starts). Default 0. */
  seed?: number;
  /** Called after every batch. */
  onProgress?: (progress: RobustnessProgress) => void;
  /**
   * Run the gradient-masking diagnostics (extra attacks on a small subset). Default true. The
   * `collapsed` flag needs no attack and is reported either way.
   */
  diagnostics?: boolean;
  /** Examples the diagnostics' extra runs use (a fixed seeded subset), >= 1. Default 200. */
  diagnosticsSubset?: number;
}

/** One attack at one eps. */
export interface AttackResult {
  attack: string;
  eps: number;
  /** Fraction of its `n` examples still classified correctly under the attack. */
  accuracy: number;
  n: number;
  /** Wall-clock seconds of this attack at this eps (all batches). */
  seconds: number;
  params?: Record<string, unknown>;
}

/** Per-example worst case over every attack at one eps. */
export interface WorstCaseResult {
  eps: number;
  accuracy: number;
  n: number;
  attacks: string[];
}

/** The `evaluation` object of `run.json` (docs/run-json.md). */
export interface RobustnessEvaluation {
  n: number;
  clean: { accuracy: number; n: number };
  attacks: AttackResult[];
  worstCase: WorstCaseResult[];
  diagnostics: Diagnostic[];
}

/**
 * Evaluates `model` (logits, inference mode) on `data` under every attack at every eps, in batches
 * so a full 10,000-image test set fits comfortably in memory. Returns the `evaluation` object of
 * `run.json`: clean accuracy, per-attack accuracy and time, the per-example worst case and the
 * gradient-masking diagnostics.
 *
 * The worst case at an eps counts an example as robust when it is classified correctly and no
 * attack that ran on it succeeded; an attack limited to a `subset` therefore only lowers the worst
 * case on its subset, so with subsets it is an upper bound.
 */
export async function evaluateRobustness(
  model: Classifier,
  data: RobustnessData,
  attacks: Attack[],
  options: EvaluateRobustnessOptions,
): Promise<RobustnessEvaluation> {
  const epsilons = checkEpsilons('evaluateRobustness', options?.epsilons);
  const batchSize = checkInteger('evaluateRobustness', 'batchSize', options.batchSize ?? 256, 1);
  const seed = checkInteger('evaluateRobustness', 'seed', options.seed ?? 0, 0);
  const diagnosticsSubset = checkInteger('evaluateRobustness', 'diagnosticsSubset', options.diagnosticsSubset ?? 200, 1);
  for (const [name, limit] of Object.entries(options.subset ?? {})) {
    checkInteger('evaluateRobustness', `subset.${name}`, limit, 1);
  }
  for (const attack of attacks) {
    if (attack.targeted) {
      throw new ApbError(`evaluateRobustness: attack "${attack.name}" is targeted; robustness is measured with untargeted attacks`, {
        code: 'INVALID_OPTION',
        suggestion: `Create ${attack.name} without targeted: true.`,
      });
    }
  }
  const view = new DatasetView(data);
  const n = view.count;
  const all = Array.from({ length: n }, (_, i) => i);
  const progress = options.onProgress ?? (() => undefined);

  const cleanCorrect = await classify(model, view, all, batchSize, (done) =>
    progress({ attack: 'clean', eps: 0, done, total: n }),
  );

  const outcomes: AttackOutcome[] = [];
  const results: AttackResult[] = [];
  for (const attack of attacks) {
    const limit = options.subset?.[attack.name];
    const indices = limit === undefined ? all : seededSubset(n, limit, seed);
    for (const eps of epsilons) {
      const started = performance.now();
      const robust = await attackRobustness(model, view, indices, attack, eps, batchSize, (done) =>
        progress({ attack: attack.name, eps, done, total: indices.length }),
      );
      const seconds = (performance.now() - started) / 1000;
      outcomes.push({ attack: attack.name, eps, indices, robust });
      results.push({ attack: attack.name, eps, accuracy: mean(robust), n: indices.length, seconds, params: attack.params });
    }
  }

  const worstCase = epsilons.map((eps): WorstCaseResult => {
    const robust = Uint8Array.from(cleanCorrect);
    const names = new Set<string>();
    for (const outcome of outcomes.filter((o) => o.eps === eps)) {
      names.add(outcome.attack);
      outcome.indices.forEach((i, j) => {
        if (outcome.robust[j] === 0) robust[i] = 0;
      });
    }
    return { eps, accuracy: mean(robust), n, attacks: [...names] };
  });

  const clean = { accuracy: mean(cleanCorrect), n };
  const collapsed = collapsedDiagnostic(clean, n === 0 ? 1 : classCount(model, view));
  const diagnostics = [collapsed];
  if (options.diagnostics !== false) {
    diagnostics.push(
      ...(await runDiagnostics(model, view, {
          epsilons,
          cleanCorrect,
          outcomes,
          indices: seededSubset(n, diagnosticsSubset, seed),
          batchSize,
          seed,
          onProgress: progress,
        })),
    );
  }

  return { n, clean, attacks: results, worstCase, diagnostics };
}

/** Classes the model tells apart: the width of its logits on one example. */
function classCount(model: Classifier, view: DatasetView): number {
  const batch = view.batch([0]);
  const classes = tf.tidy(() => logitsOf(model, batch.images).shape[1]);
  tf.dispose([batch.images, batch.labels]);
  return classes;
}
