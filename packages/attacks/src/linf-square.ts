import * as tf from '@tensorflow/tfjs-core';
import { Attack } from './attack.js';
import { logitsOf, type Classifier } from './classifier.js';
import { successScore } from './losses.js';
import { checkBoolean, checkInteger, checkNumber } from './options.js';
import { createRng, type Rng } from '@apb/core';

/** Options of {@link LinfSquare}. */
export interface LinfSquareOptions {
  /** Query budget per example (model evaluations, the initial one included), >= 1. Default 1000. */
  queries?: number;
  /** Initial fraction of pixels changed per square, in (0, 1]. Default 0.3 (used for MNIST). */
  pInit?: number;
  /** Seed of the squares and their signs. Default 0. */
  seed?: number;
  /** Targeted mode: labels are the classes to reach. Default false. */
  targeted?: boolean;
}

/**
 * Fraction of pixels a square covers at iteration `iteration` of `budget`: the schedule of
 * Andriushchenko et al. (2020), which halves p at fixed points of a 10,000-query run, rescaled to
 * the budget.
 */
export function squareFraction(pInit: number, iteration: number, budget: number): number {
  const t = Math.floor((iteration / budget) * 10_000);
  const halvings: [number, number][] = [
    [10, 1], [50, 2], [200, 3], [500, 4], [1000, 5], [2000, 6], [4000, 7], [6000, 8], [8000, 9],
  ];
  let power = 0;
  for (const [start, p] of halvings) if (t > start) power = p;
  if (t > 10_000) power = 0;
  return pInit / 2 ** power;
}

/**
 * Square Attack (Andriushchenko, Croce, Flammarion & Hein 2020), l-inf, `square`: a gradient-free
 * random search that needs only logits, so masked gradients cannot fool it. Starts from vertical
 * stripes of +-eps, then repeatedly proposes a random square window set to +-eps per channel and
 * keeps it when the margin loss `max_{j != y} z_j - z_y` grows. Examples stop querying as soon as
 * they are misclassified (in targeted mode: the score is the target's lead over the best other
 * logit, and an example stops once the model predicts its target).
 */
export class LinfSquare extends Attack {
  readonly name = 'square';
  readonly params: Record<string, unknown>;
  readonly queries: number;
  readonly pInit: number;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(options: LinfSquareOptions = {}) {
    super(checkBoolean('LinfSquare', 'targeted', options.targeted ?? false));
    this.queries = checkInteger('LinfSquare', 'queries', options.queries ?? 1000, 1);
    this.pInit = checkNumber('LinfSquare', 'pInit', options.pInit ?? 0.3, Number.MIN_VALUE, 1);
    this.seed = checkInteger('LinfSquare', 'seed', options.seed ?? 0, 0);
    this.rng = createRng(this.seed);
    this.params = { queries: this.queries, pInit: this.pInit, seed: this.seed, targeted: this.targeted };
  }

  protected perturb(model: Classifier, images: tf.Tensor4D, labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    const [n, h, w, c] = images.shape;
    const size = h * w * c;
    const x0 = images.dataSync() as Float32Array;
    const rng = this.rng;
    const clip01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

    const cleanMargins = this.margins(model, x0, images.shape, labels, Array.from({ length: n }, (_, i) => i));
    const best = Float32Array.from(x0);
    // Vertical stripes: one random sign per (example, column, channel).
    for (let i = 0; i < n; i++) {
      if ((cleanMargins[i] as number) > 0) continue; // already a success: leave it clean
      for (let col = 0; col < w; col++) {
        for (let ch = 0; ch < c; ch++) {
          const delta = rng.next() < 0.5 ? -eps : eps;
          for (let row = 0; row < h; row++) {
            const k = i * size + (row * w + col) * c + ch;
            best[k] = clip01((x0[k] as number) + delta);
          }
        }
      }
    }
    let active = Array.from({ length: n }, (_, i) => i).filter((i) => (cleanMargins[i] as number) <= 0);
    const bestMargins = Float32Array.from(cleanMargins);
    if (active.length > 0) {
      const rows = new Float32Array(active.length * size);
      active.forEach((i, j) => rows.set(best.subarray(i * size, (i + 1) * size), j * size));
      const initial = this.margins(model, rows, images.shape, labels, active);
      active.forEach((i, j) => (bestMargins[i] = initial[j] as number));
    }

    for (let iteration = 1; iteration < this.queries; iteration++) {
      active = active.filter((i) => (bestMargins[i] as number) <= 0);
      if (active.length === 0) break;
      const fraction = squareFraction(this.pInit, iteration, this.queries);
      const side = Math.min(Math.max(Math.round(Math.sqrt(fraction * h * w)), 1), Math.max(h - 1, 1));
      const proposal = new Float32Array(active.length * size);
      active.forEach((i, j) => {
        proposal.set(best.subarray(i * size, (i + 1) * size), j * size);
        const top = rng.int(h - side + 1);
        const left = rng.int(w - side + 1);
        // Redraw signs a few times if the square would change nothing (e.g. clipped at 0 or 1).
        for (let attempt = 0; attempt < 10; attempt++) {
          let changed = false;
          for (let ch = 0; ch < c; ch++) {
            const delta = rng.next() < 0.5 ? -eps : eps;
            for (let row = top; row < top + side; row++) {
              for (let col = left; col < left + side; col++) {
                const k = (row * w + col) * c + ch;
                const value = clip01((x0[i * size + k] as number) + delta);
                if (Math.abs(value - (best[i * size + k] as number)) > 1e-7) changed = true;
                proposal[j * size + k] = value;
              }
            }
          }
          if (changed) break;
        }
      });
      const proposalMargins = this.margins(model, proposal, [active.length, h, w, c], labels, active);
      active.forEach((i, j) => {
        const value = proposalMargins[j] as number;
        if (value > (bestMargins[i] as number)) {
          bestMargins[i] = value;
          best.set(proposal.subarray(j * size, (j + 1) * size), i * size);
        }
      });
    }
    return tf.tensor4d(best, images.shape);
  }

  /** Margins of the examples `rows` (indices into `labels`), whose pixels `data` holds in order. */
  private margins(
    model: Classifier,
    data: Float32Array,
    shape: [number, number, number, number],
    labels: tf.Tensor1D,
    rows: number[],
  ): Float32Array {
    const batch = data.length / (shape[1] * shape[2] * shape[3]);
    return tf.tidy(() => {
      const x = tf.tensor4d(data, [batch, shape[1], shape[2], shape[3]]);
      const y = rows.length === labels.shape[0] ? labels : tf.gather(labels, tf.tensor1d(rows, 'int32'));
      return successScore(logitsOf(model, x), y, this.targeted).dataSync() as Float32Array;
    });
  }
}
