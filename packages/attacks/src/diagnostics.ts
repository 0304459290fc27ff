import * as tf from '@tensorflow/tfjs-core';
import type { Attack } from './attack.js';
import { attackRobustness, mean } from './accuracy.js';
import { logitsOf, type Classifier } from './classifier.js';
import type { DatasetView } from './dataset-view.js';
import { inputGradient } from './gradient.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfPgd } from './linf-pgd.js';
import { RandomNoise } from './random-noise.js';

/** One gradient-masking check: a stable id, whether it fired, one sentence and the numbers. */
export interface Diagnostic {
  /** Stable kebab-case id, one of {@link DIAGNOSTIC_FLAGS}. */
  flag: string;
  raised: boolean;
  /** One sentence with the numbers behind the verdict. */
  detail: string;
  values: Record<string, number>;
}

/** Per-example outcome of one attack at one eps: which examples, and which survived. */
export interface AttackOutcome {
  attack: string;
  eps: number;
  /** Example indices, ascending. */
  indices: number[];
  /** 1 where the example at the same position of `indices` is still classified correctly. */
  robust: Uint8Array;
}

/**
 * Every flag an evaluation reports, in report order: `collapsed` ({@link collapsedDiagnostic}, made
 * by every evaluation), then the gradient-masking flags of {@link runDiagnostics}.
 */
export const DIAGNOSTIC_FLAGS = [
  'collapsed',
  'one-step-stronger-than-iterative',
  'fgsm-far-above-pgd',
  'black-box-stronger-than-white-box',
  'accuracy-not-vanishing-at-large-eps',
  'noise-as-strong-as-pgd',
  'cross-entropy-weaker-than-margin',
  'zero-input-gradient',
  'softmax-saturated',
  'adversarial-above-clean',
] as const;

/** What a raised flag means, one sentence each (reports print these beside the flags). */
export const DIAGNOSTIC_MEANINGS: Record<(typeof DIAGNOSTIC_FLAGS)[number], string> = {
  collapsed: 'clean accuracy is below 1.5 times chance: the model did not train, and its attack numbers are not robustness',
  'one-step-stronger-than-iterative': 'a one-step attack (FGSM) did more damage than PGD at the same eps, so the gradients PGD follows mislead it',
  'fgsm-far-above-pgd': "the paper's FGSM leaves more than 20 points more accuracy than PGD on the same images, so the FGSM number is not robustness",
  'black-box-stronger-than-white-box': 'a black-box attack (Square or transfer) did more damage than white-box PGD, so PGD\'s gradients are masked',
  'accuracy-not-vanishing-at-large-eps': 'PGD leaves more than 10% accuracy at eps 1, where any image can be replaced, so the attack is blocked',
  'noise-as-strong-as-pgd': 'uniform noise did as much damage as PGD, so PGD found no useful direction',
  'cross-entropy-weaker-than-margin': 'PGD on cross-entropy leaves more than 5 points more accuracy than PGD on the logit margin, a sign of a saturated softmax',
  'zero-input-gradient': 'more than 1% of clean images have an exactly zero cross-entropy input gradient, which FGSM cannot move',
  'softmax-saturated': 'more than 1% of clean images have a float32 softmax maximum of exactly 1.0, where cross-entropy gradients vanish',
  'adversarial-above-clean': 'an attack leaves more than 1 point more accuracy than clean images on the same examples, a sign of label leaking',
};

/**
 * Thresholds of the flags (fractions of examples). Attack comparisons allow one point of slack so
 * that sampling noise on a small subset does not fire them.
 */
export const DIAGNOSTIC_THRESHOLDS = {
  /** A weaker attack "beats" a stronger one only by more than this much accuracy. */
  comparisonSlack: 0.01,
  /** Accuracy at eps = 1 above this means the attack cannot even replace the image. */
  largeEpsAccuracy: 0.1,
  /** Cross-entropy PGD accuracy above margin PGD accuracy by more than this. */
  lossGap: 0.05,
  /** Share of examples with an exactly zero input gradient above this. */
  zeroGradientShare: 0.01,
  /** Share of examples whose float32 softmax maximum is exactly 1 above this. */
  saturatedShare: 0.01,
  /** FGSM accuracy above PGD accuracy on the same examples by more than this. */
  fgsmAbovePgd: 0.2,
  /** Clean accuracy below this multiple of chance (1 / classes) means the training failed. */
  collapsedChanceMultiple: 1.5,
} as const;

/**
 * The `collapsed` flag: clean accuracy below 1.5 x chance (15% for 10 classes), i.e. a model that
 * predicts (nearly) one class. Such a model also "survives" attacks on every example of the class it
 * predicts, so its accuracy under attack must not be read as robustness. Needs no attack.
 */
export function collapsedDiagnostic(clean: { accuracy: number; n: number }, classes: number): Diagnostic {
  const chance = 1 / classes;
  const threshold = DIAGNOSTIC_THRESHOLDS.collapsedChanceMultiple / classes;
  return {
    flag: 'collapsed',
    raised: clean.accuracy < threshold,
    detail: `Clean accuracy is ${pct(clean.accuracy)} on ${clean.n} examples against ${pct(chance)} chance for ${classes} classes; below ${pct(threshold)} the training failed, so accuracy under attack is no measure of robustness.`,
    values: { cleanAccuracy: clean.accuracy, chance, classes, n: clean.n },
  };
}

/** Steps of the diagnostics' own PGD runs. */
const DIAGNOSTIC_PGD_STEPS = 20;

/** Inputs of {@link runDiagnostics}. */
export interface DiagnosticsInput {
  epsilons: number[];
  /** Clean correctness of every example of the data set. */
  cleanCorrect: Uint8Array;
  /** The evaluation's own attack outcomes. */
  outcomes: AttackOutcome[];
  /** The fixed subset the extra runs use. */
  indices: number[];
  batchSize: number;
  seed: number;
  onProgress: (progress: { attack: string; eps: number; done: number; total: number }) => void;
}

/**
 * Gradient-masking diagnostics (Athalye et al. 2018; Carlini et al. 2019; AutoAttack's flags).
 * Comparisons between attacks use the evaluation's own results where both attacks ran at one eps
 * (on the examples they share), and extra runs on the small fixed subset `indices`: FGSM, PGD-20
 * with cross-entropy and with margin loss, and uniform noise at the largest evaluated eps (0.3 if
 * that is 0), PGD-20 of both losses at eps 0.5 and 1, and the input gradient and softmax of the
 * clean subset.
 */
export async function runDiagnostics(model: Classifier, view: DatasetView, input: DiagnosticsInput): Promise<Diagnostic[]> {
  const { indices, batchSize, seed } = input;
  const largest = Math.max(...input.epsilons);
  const epsStar = largest > 0 ? largest : 0.3;

  const extra: AttackOutcome[] = [];
  const runExtra = async (label: string, attack: Attack, eps: number): Promise<AttackOutcome> => {
    const robust = await attackRobustness(model, view, indices, attack, eps, batchSize, (done) =>
      input.onProgress({ attack: `diagnostics:${label}`, eps, done, total: indices.length }),
    );
    const outcome = { attack: label, eps, indices, robust };
    extra.push(outcome);
    return outcome;
  };
  const fgsm = await runExtra('fgsm', new LinfFgsm(), epsStar);
  const noise = await runExtra('noise', new RandomNoise({ seed }), epsStar);
  const pgdCe: AttackOutcome[] = [];
  const pgdMargin: AttackOutcome[] = [];
  for (const eps of [...new Set([epsStar, 0.5, 1])]) {
    pgdCe.push(await runExtra('pgd', new LinfPgd({ steps: DIAGNOSTIC_PGD_STEPS, loss: 'ce', seed }), eps));
    pgdMargin.push(await runExtra('pgd-margin', new LinfPgd({ steps: DIAGNOSTIC_PGD_STEPS, loss: 'margin', seed }), eps));
  }
  const at = (list: AttackOutcome[], eps: number): AttackOutcome => list.find((o) => o.eps === eps) as AttackOutcome;
  const strongest = (eps: number): AttackOutcome => bestOf(at(pgdCe, eps), at(pgdMargin, eps));
  const { zeroGradient, saturated } = await gradientAndSaturation(model, view, indices, batchSize);

  const own = input.outcomes;
  const oneStep = [...own.filter((o) => ['fgsm', 'fgsm-margin', 'fgsm-rs'].includes(o.attack)), fgsm];
  const iterative = [...own.filter((o) => o.attack === 'pgd' || o.attack === 'pgd-margin'), at(pgdCe, epsStar)];
  const blackBox = own.filter((o) => o.attack === 'square' || o.attack === 'transfer' || o.attack.startsWith('transfer-'));
  const whiteBox = [...own.filter((o) => o.attack === 'pgd' || o.attack === 'pgd-margin'), at(pgdCe, epsStar), at(pgdMargin, epsStar)];

  const diagnostics: Diagnostic[] = [];
  const slack = DIAGNOSTIC_THRESHOLDS.comparisonSlack;

  const oneStepGap = largestGap(oneStep, iterative);
  diagnostics.push(
    oneStepGap === undefined
      ? notChecked('one-step-stronger-than-iterative', 'no one-step and iterative attack ran on common examples')
      : {
          flag: 'one-step-stronger-than-iterative',
          raised: oneStepGap.gap > slack,
          detail: `At eps ${oneStepGap.eps}, ${oneStepGap.a} leaves ${pct(oneStepGap.accuracyA)} accuracy and ${oneStepGap.b} ${pct(oneStepGap.accuracyB)} on ${oneStepGap.n} common examples; a one-step attack beating an iterative one means the gradients mislead.`,
          values: { eps: oneStepGap.eps, oneStepAccuracy: oneStepGap.accuracyA, iterativeAccuracy: oneStepGap.accuracyB, n: oneStepGap.n },
        },
  );

  // The paper's FGSM (cross-entropy) against PGD on the same examples: a large gap means the FGSM
  // number says little about robustness, whatever its cause (masking, label leaking, saturation).
  const fgsmOnly = [...own.filter((o) => o.attack === 'fgsm'), fgsm];
  const fgsmGap = largestGap(iterative, fgsmOnly);
  diagnostics.push(
    fgsmGap === undefined
      ? notChecked('fgsm-far-above-pgd', 'FGSM and PGD did not run on common examples')
      : {
          flag: 'fgsm-far-above-pgd',
          raised: fgsmGap.gap > DIAGNOSTIC_THRESHOLDS.fgsmAbovePgd,
          detail: `At eps ${fgsmGap.eps}, ${fgsmGap.b} leaves ${pct(fgsmGap.accuracyB)} accuracy and ${fgsmGap.a} ${pct(fgsmGap.accuracyA)} on ${fgsmGap.n} common examples; FGSM more than ${pct(DIAGNOSTIC_THRESHOLDS.fgsmAbovePgd)} above PGD means the FGSM accuracy is not robustness.`,
          values: { eps: fgsmGap.eps, fgsmAccuracy: fgsmGap.accuracyB, pgdAccuracy: fgsmGap.accuracyA, n: fgsmGap.n },
        },
  );

  const blackBoxGap = largestGap(blackBox, whiteBox);
  diagnostics.push(
    blackBoxGap === undefined
      ? notChecked('black-box-stronger-than-white-box', 'no square or transfer attack ran at an eps shared with PGD')
      : {
          flag: 'black-box-stronger-than-white-box',
          raised: blackBoxGap.gap > slack,
          detail: `At eps ${blackBoxGap.eps}, ${blackBoxGap.a} leaves ${pct(blackBoxGap.accuracyA)} accuracy and ${blackBoxGap.b} ${pct(blackBoxGap.accuracyB)} on ${blackBoxGap.n} common examples; a black-box attack beating a white-box PGD means that PGD's gradients are masked.`,
          values: { eps: blackBoxGap.eps, blackBoxAccuracy: blackBoxGap.accuracyA, whiteBoxAccuracy: blackBoxGap.accuracyB, n: blackBoxGap.n },
        },
  );

  const half = mean(strongest(0.5).robust);
  const full = mean(strongest(1).robust);
  diagnostics.push({
    flag: 'accuracy-not-vanishing-at-large-eps',
    raised: full > DIAGNOSTIC_THRESHOLDS.largeEpsAccuracy,
    detail: `PGD-${DIAGNOSTIC_PGD_STEPS} (best of cross-entropy and margin) leaves ${pct(half)} accuracy at eps 0.5 and ${pct(full)} at eps 1 on ${indices.length} examples; at eps 1 any image can be replaced, so more than ${pct(DIAGNOSTIC_THRESHOLDS.largeEpsAccuracy)} means the attack is blocked.`,
    values: { accuracyAtEps05: half, accuracyAtEps1: full, n: indices.length },
  });

  const noiseAccuracy = mean(noise.robust);
  const pgdAccuracy = mean(strongest(epsStar).robust);
  diagnostics.push({
    flag: 'noise-as-strong-as-pgd',
    raised: noiseAccuracy <= pgdAccuracy + slack,
    detail: `At eps ${epsStar}, uniform noise leaves ${pct(noiseAccuracy)} accuracy and PGD-${DIAGNOSTIC_PGD_STEPS} ${pct(pgdAccuracy)} on ${indices.length} examples; PGD should do far more damage than noise.`,
    values: { eps: epsStar, noiseAccuracy, pgdAccuracy, n: indices.length },
  });

  const ceAccuracy = mean(at(pgdCe, epsStar).robust);
  const marginAccuracy = mean(at(pgdMargin, epsStar).robust);
  diagnostics.push({
    flag: 'cross-entropy-weaker-than-margin',
    raised: ceAccuracy - marginAccuracy > DIAGNOSTIC_THRESHOLDS.lossGap,
    detail: `At eps ${epsStar}, PGD-${DIAGNOSTIC_PGD_STEPS} on cross-entropy leaves ${pct(ceAccuracy)} accuracy and on the margin loss ${pct(marginAccuracy)} on ${indices.length} examples; a gap above ${pct(DIAGNOSTIC_THRESHOLDS.lossGap)} points to softmax saturation.`,
    values: { eps: epsStar, crossEntropyAccuracy: ceAccuracy, marginAccuracy, n: indices.length },
  });

  diagnostics.push({
    flag: 'zero-input-gradient',
    raised: zeroGradient > DIAGNOSTIC_THRESHOLDS.zeroGradientShare,
    detail: `${pct(zeroGradient)} of ${indices.length} clean examples have an input gradient of the cross-entropy that is exactly zero, so FGSM and cross-entropy PGD cannot move them.`,
    values: { share: zeroGradient, n: indices.length },
  });

  diagnostics.push({
    flag: 'softmax-saturated',
    raised: saturated > DIAGNOSTIC_THRESHOLDS.saturatedShare,
    detail: `${pct(saturated)} of ${indices.length} clean examples have a float32 softmax maximum of exactly 1.0, where the cross-entropy gradient vanishes; prefer margin-loss attacks.`,
    values: { share: saturated, n: indices.length },
  });

  const leak = aboveClean(own, input.cleanCorrect);
  diagnostics.push(
    leak === undefined
      ? notChecked('adversarial-above-clean', 'no attack other than noise ran at an eps above 0')
      : {
          flag: 'adversarial-above-clean',
          // Slack as for attack comparisons: a chance-level model sits at ~10% both ways.
          raised: leak.gap > slack,
          detail: `${leak.attack} at eps ${leak.eps} leaves ${pct(leak.accuracy)} accuracy against ${pct(leak.clean)} clean on the same ${leak.n} examples; adversarial accuracy more than ${pct(slack)} above clean suggests label leaking (Kurakin et al. 2017).`,
          values: { eps: leak.eps, adversarialAccuracy: leak.accuracy, cleanAccuracy: leak.clean, n: leak.n },
        },
  );
  return diagnostics;
}

interface Gap {
  a: string;
  b: string;
  eps: number;
  accuracyA: number;
  accuracyB: number;
  gap: number;
  n: number;
}

/** Over pairs at one eps, the largest `accuracy(b) - accuracy(a)` on the examples both ran on. */
function largestGap(first: AttackOutcome[], second: AttackOutcome[]): Gap | undefined {
  let largest: Gap | undefined;
  for (const a of first) {
    for (const b of second) {
      if (a.eps !== b.eps || a === b) continue;
      const common = commonAccuracy(a, b);
      if (common.n === 0) continue;
      const gap = common.accuracyB - common.accuracyA;
      if (largest === undefined || gap > largest.gap) {
        largest = { a: a.attack, b: b.attack, eps: a.eps, gap, ...common };
      }
    }
  }
  return largest;
}

function commonAccuracy(a: AttackOutcome, b: AttackOutcome): { accuracyA: number; accuracyB: number; n: number } {
  const position = new Map(b.indices.map((index, j) => [index, j]));
  let n = 0;
  let sumA = 0;
  let sumB = 0;
  a.indices.forEach((index, j) => {
    const k = position.get(index);
    if (k === undefined) return;
    n++;
    sumA += a.robust[j] as number;
    sumB += b.robust[k] as number;
  });
  return { accuracyA: n ? sumA / n : 0, accuracyB: n ? sumB / n : 0, n };
}

function bestOf(a: AttackOutcome, b: AttackOutcome): AttackOutcome {
  return mean(a.robust) <= mean(b.robust) ? a : b;
}

function aboveClean(
  outcomes: AttackOutcome[],
  cleanCorrect: Uint8Array,
): { attack: string; eps: number; accuracy: number; clean: number; n: number; gap: number } | undefined {
  let worst: { attack: string; eps: number; accuracy: number; clean: number; n: number; gap: number } | undefined;
  // Noise is not an attack on the label, so it cannot leak it; it only adds sampling noise here.
  for (const o of outcomes.filter((outcome) => outcome.eps > 0 && outcome.attack !== 'noise')) {
    const clean = mean(Uint8Array.from(o.indices, (i) => cleanCorrect[i] as number));
    const accuracy = mean(o.robust);
    const gap = accuracy - clean;
    if (worst === undefined || gap > worst.gap) worst = { attack: o.attack, eps: o.eps, accuracy, clean, n: o.indices.length, gap };
  }
  return worst;
}

/** Shares of examples with an all-zero cross-entropy input gradient and with a softmax max of 1. */
async function gradientAndSaturation(
  model: Classifier,
  view: DatasetView,
  indices: number[],
  batchSize: number,
): Promise<{ zeroGradient: number; saturated: number }> {
  let zero = 0;
  let saturated = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = view.batch(indices.slice(start, start + batchSize));
    const [gradientMax, softmaxMax] = tf.tidy(() => [
      tf.max(tf.abs(tf.reshape(inputGradient(model, batch.images, batch.labels, 'ce'), [batch.images.shape[0], -1])), -1),
      tf.max(tf.softmax(logitsOf(model, batch.images)), -1),
    ]);
    for (const g of await (gradientMax as tf.Tensor).data()) if (g === 0) zero++;
    for (const p of await (softmaxMax as tf.Tensor).data()) if (p === 1) saturated++;
    tf.dispose([gradientMax, softmaxMax, batch.images, batch.labels]);
  }
  const n = Math.max(indices.length, 1);
  return { zeroGradient: zero / n, saturated: saturated / n };
}

function notChecked(flag: string, why: string): Diagnostic {
  return { flag, raised: false, detail: `Not checked: ${why}.`, values: {} };
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
