import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfPgd } from './linf-pgd.js';
import { margin } from './losses.js';
import { accuracyOf, syntheticTensors, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
  ({ images, labels } = syntheticTensors(90, 21));
});

afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
});

function successOf(x: tf.Tensor4D): number[] {
  return Array.from(tf.tidy(() => tf.notEqual(tf.argMax(model.apply(x) as tf.Tensor2D, -1), labels).dataSync()));
}

function marginsOf(x: tf.Tensor4D): number[] {
  return Array.from(tf.tidy(() => margin(model.apply(x) as tf.Tensor2D, labels).dataSync()));
}

describe('LinfPgd', () => {
  // Per-example dominance is not a theorem for a random start (one run of PGD-40 from a random
  // point, on either loss, misses 1 of 90 examples FGSM fools here at eps 0.25 or 0.3); from the input, or with
  // restarts, it holds, and in aggregate it holds for every configuration.
  it.each([
    ['from the input', { steps: 40, randomStart: false }],
    ['with 5 random restarts', { steps: 40, restarts: 5, seed: 1 }],
  ] as const)('fools the model on every example FGSM fools, %s', (_label, options) => {
    for (const eps of [0.25, 0.3, 0.35]) {
      const fgsm = new LinfFgsm().craft(model, images, labels, eps);
      const pgd = new LinfPgd(options).craft(model, images, labels, eps);
      const fgsmSuccess = successOf(fgsm);
      const pgdSuccess = successOf(pgd);
      // The test must be able to fail: FGSM has to fool some examples here.
      expect(fgsmSuccess.some((s) => s === 1)).toBe(true);
      fgsmSuccess.forEach((s, i) => {
        if (s === 1) expect(pgdSuccess[i], `example ${i} at eps ${eps}`).toBe(1);
      });
      tf.dispose([fgsm, pgd]);
    }
  });

  it('fools at least as many examples as FGSM with a single random start', () => {
    for (const eps of [0.25, 0.3, 0.35]) {
      const fgsm = new LinfFgsm().craft(model, images, labels, eps);
      const pgd = new LinfPgd({ steps: 40, seed: 1 }).craft(model, images, labels, eps);
      const count = (x: tf.Tensor4D): number => successOf(x).reduce((a, b) => a + b, 0);
      expect(count(pgd)).toBeGreaterThanOrEqual(count(fgsm));
      tf.dispose([fgsm, pgd]);
    }
  });

  it('drives accuracy to at most 10% at eps 1', () => {
    expect(accuracyOf(model, images, labels)).toBeGreaterThan(0.9);
    const adversarial = new LinfPgd({ steps: 20 }).craft(model, images, labels, 1);
    expect(accuracyOf(model, adversarial, labels)).toBeLessThanOrEqual(0.1);
    adversarial.dispose();
  });

  it('keeps, per example, the worst of its restarts', () => {
    // A fresh attack with the same seed draws the same random starts in the same order, so three
    // single runs of one object are exactly the three restarts of a restarts: 3 attack.
    const single = new LinfPgd({ steps: 3, seed: 7 });
    const runs = [0, 1, 2].map(() => single.craft(model, images, labels, 0.2));
    const combined = new LinfPgd({ steps: 3, seed: 7, restarts: 3 }).craft(model, images, labels, 0.2);
    const perRun = runs.map(marginsOf);
    const expected = perRun[0]!.map((_, i) => Math.max(...perRun.map((m) => m[i] as number)));
    expect(marginsOf(combined)).toEqual(expected);
    // The restarts must actually differ somewhere, or this test could not fail.
    expect(perRun[1]).not.toEqual(perRun[0]);
    tf.dispose([...runs, combined]);
  });

  it('defaults the step size to 2.5 eps / steps and records it', () => {
    const attack = new LinfPgd({ steps: 10 });
    expect(attack.params.stepSize).toBe('2.5*eps/10');
    const noStart = new LinfPgd({ steps: 1, randomStart: false });
    const fgsmLike = new LinfFgsm().craft(model, images, labels, 0.2);
    const oneStep = noStart.craft(model, images, labels, 0.2);
    // One step of 2.5 eps from the input, projected, is FGSM.
    expect(Array.from(oneStep.dataSync())).toEqual(Array.from(fgsmLike.dataSync()));
    tf.dispose([fgsmLike, oneStep]);
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new LinfPgd({ steps: 0 })).toThrow(/"steps"/);
    expect(() => new LinfPgd({ steps: 2.5 })).toThrow(/"steps"/);
    expect(() => new LinfPgd({ stepSize: -1 })).toThrow(/"stepSize"/);
    expect(() => new LinfPgd({ stepSize: Number.NaN })).toThrow(/"stepSize"/);
    expect(() => new LinfPgd({ restarts: 0 })).toThrow(/"restarts"/);
    expect(() => new LinfPgd({ loss: 'l2' as 'ce' })).toThrow(/"loss"/);
    expect(() => new LinfPgd({ randomStart: 'yes' as unknown as boolean })).toThrow(/"randomStart"/);
    try {
      new LinfPgd({ steps: -3 });
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INVALID_OPTION');
      expect((error as { suggestion?: string }).suggestion).toMatch(/steps/);
    }
  });
});
