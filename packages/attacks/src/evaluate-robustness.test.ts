import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collapsedDiagnostic, DIAGNOSTIC_FLAGS } from './diagnostics.js';
import { evaluateRobustness, type RobustnessProgress } from './evaluate-robustness.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfPgd } from './linf-pgd.js';
import { LinfSquare } from './linf-square.js';
import { RandomNoise } from './random-noise.js';
import { accuracyOf, syntheticData, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
const data = syntheticData(50, 51);

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
});

afterAll(() => model.dispose());

describe('the collapsed flag', () => {
  it('is raised below 1.5 x chance and not at or above it', () => {
    expect(collapsedDiagnostic({ accuracy: 0.1135, n: 1000 }, 10)).toMatchObject({ flag: 'collapsed', raised: true, values: { chance: 0.1, classes: 10, n: 1000 } });
    expect(collapsedDiagnostic({ accuracy: 0.15, n: 1000 }, 10).raised).toBe(false);
    expect(collapsedDiagnostic({ accuracy: 0.7, n: 20 }, 2).raised).toBe(true);
    expect(collapsedDiagnostic({ accuracy: 0.8, n: 20 }, 2).raised).toBe(false);
    expect(collapsedDiagnostic({ accuracy: 0.1135, n: 1000 }, 10).detail).toMatch(/^Clean accuracy is 11\.3% on 1000 examples against 10\.0% chance for 10 classes; [^\n]*\.$/);
  });

  it('marks a model that predicts one class, and not the trained one, counting classes from the logits', async () => {
    // Logits that always favour class 0 of 3 (x enters with weight 0, so there is a zero gradient to take).
    const oneClass = (x: tf.Tensor4D): tf.Tensor2D => {
      const zero = tf.reshape(tf.mul(tf.sum(x, [1, 2, 3]), 0), [-1, 1]);
      return tf.concat([tf.add(zero, 1), zero, zero], 1) as tf.Tensor2D;
    };
    const labels = Uint8Array.from({ length: 50 }, (_, i) => (i % 10 === 0 ? 0 : 1 + (i % 2)));
    const dead = await evaluateRobustness(oneClass, { images: data.images, labels }, [new LinfFgsm()], { epsilons: [0.3], diagnostics: false });
    expect(dead.clean.accuracy).toBe(0.1);
    expect(dead.diagnostics[0]).toMatchObject({ flag: 'collapsed', raised: true, values: { classes: 3, cleanAccuracy: 0.1 } });
    // FGSM cannot move a constant model: 10% "robust", which is exactly what must not be read as robustness.
    expect(dead.attacks[0]?.accuracy).toBe(0.1);
    const alive = await evaluateRobustness(model, data, [], { epsilons: [0.3], diagnostics: false });
    expect(alive.clean.accuracy).toBeGreaterThan(0.5);
    expect(alive.diagnostics[0]).toMatchObject({ flag: 'collapsed', raised: false });
  });
});

describe('evaluateRobustness', () => {
  it('reports clean, per-attack and worst-case accuracy consistent with the attacks run alone', async () => {
    const evaluation = await evaluateRobustness(
      model,
      data,
      [new LinfFgsm(), new LinfPgd({ steps: 10 }), new RandomNoise()],
      { epsilons: [0, 0.3], batchSize: 16, diagnostics: false },
    );
    const images = tf.tensor4d(data.images, [50, 6, 6, 1]);
    const labels = tf.tensor1d(data.labels, 'int32');
    expect(evaluation.n).toBe(50);
    expect(evaluation.clean).toEqual({ accuracy: accuracyOf(model, images, labels), n: 50 });
    expect(evaluation.attacks.map((a) => `${a.attack}@${a.eps}`)).toEqual([
      'fgsm@0', 'fgsm@0.3', 'pgd@0', 'pgd@0.3', 'noise@0', 'noise@0.3',
    ]);
    for (const result of evaluation.attacks.filter((a) => a.eps === 0)) {
      expect(result.accuracy).toBe(evaluation.clean.accuracy);
    }
    // Batches must not change the answer: FGSM is deterministic, so the whole set at once agrees.
    const fgsm = new LinfFgsm().craft(model, images, labels, 0.3);
    expect(evaluation.attacks[1]?.accuracy).toBeCloseTo(accuracyOf(model, fgsm, labels), 6);
    const worst = evaluation.worstCase.find((w) => w.eps === 0.3);
    const perAttack = evaluation.attacks.filter((a) => a.eps === 0.3).map((a) => a.accuracy);
    expect(worst?.accuracy).toBeLessThanOrEqual(Math.min(...perAttack));
    expect(worst?.attacks).toEqual(['fgsm', 'pgd', 'noise']);
    expect(evaluation.attacks[0]?.params).toEqual({ loss: 'ce', targeted: false });
    expect(evaluation.attacks.every((a) => a.seconds >= 0)).toBe(true);
    // The gradient-masking checks are off; the collapsed check needs no attack and is always made.
    expect(evaluation.diagnostics.map((d) => d.flag)).toEqual(['collapsed']);
    tf.dispose([images, labels, fgsm]);
  });

  it('counts an example in the worst case as broken when any attack broke it', async () => {
    const evaluation = await evaluateRobustness(model, data, [new LinfFgsm(), new LinfPgd({ steps: 5, seed: 2 })], {
      epsilons: [0.3],
      diagnostics: false,
    });
    const x = tf.tensor4d(data.images, [50, 6, 6, 1]);
    const y = tf.tensor1d(data.labels, 'int32');
    const a = new LinfFgsm().craft(model, x, y, 0.3);
    const b = new LinfPgd({ steps: 5, seed: 2 }).craft(model, x, y, 0.3);
    const correct = (adv: tf.Tensor4D): number[] =>
      Array.from(tf.tidy(() => tf.equal(tf.argMax(model.apply(adv) as tf.Tensor2D, -1), y).dataSync()));
    const ca = correct(a);
    const cb = correct(b);
    const both = ca.filter((v, i) => v === 1 && cb[i] === 1).length / 50;
    expect(evaluation.worstCase[0]?.accuracy).toBeCloseTo(both, 10);
    tf.dispose([x, y, a, b]);
  });

  it('runs an attack with a subset limit on a fixed seeded subset', async () => {
    const evaluate = (seed: number) =>
      evaluateRobustness(model, data, [new LinfSquare({ queries: 10 }), new LinfFgsm()], {
        epsilons: [0.2],
        subset: { square: 20 },
        seed,
        diagnostics: false,
      });
    const first = await evaluate(3);
    const again = await evaluate(3);
    expect(first.attacks.map((a) => a.n)).toEqual([20, 50]);
    expect(again.attacks.map((a) => a.accuracy)).toEqual(first.attacks.map((a) => a.accuracy));
    expect(first.worstCase[0]?.n).toBe(50);
  });

  it('accepts images as a tensor as well as flat floats, and reports progress per batch', async () => {
    const images = tf.tensor4d(data.images, [50, 6, 6, 1]);
    const events: RobustnessProgress[] = [];
    const fromTensor = await evaluateRobustness(model, { images, labels: data.labels }, [new LinfFgsm()], {
      epsilons: [0.25],
      batchSize: 20,
      diagnostics: false,
      onProgress: (p) => events.push(p),
    });
    const fromArray = await evaluateRobustness(model, data, [new LinfFgsm()], { epsilons: [0.25], diagnostics: false });
    expect(fromTensor.attacks[0]?.accuracy).toBe(fromArray.attacks[0]?.accuracy);
    expect(events.filter((e) => e.attack === 'fgsm').map((e) => e.done)).toEqual([20, 40, 50]);
    expect(events.every((e) => e.total === 50)).toBe(true);
    images.dispose();
  });

  it('reports every gradient-masking flag with a sentence and numbers', async () => {
    const evaluation = await evaluateRobustness(
      model,
      data,
      [new LinfFgsm(), new LinfPgd({ steps: 10 }), new LinfSquare({ queries: 50 })],
      { epsilons: [0.3], diagnosticsSubset: 30 },
    );
    expect(evaluation.diagnostics.map((d) => d.flag)).toEqual([...DIAGNOSTIC_FLAGS]);
    for (const diagnostic of evaluation.diagnostics) {
      expect(typeof diagnostic.raised).toBe('boolean');
      expect(diagnostic.detail).toMatch(/\d/);
      expect(diagnostic.detail.split('\n')).toHaveLength(1);
      expect(Object.keys(diagnostic.values).length).toBeGreaterThan(0);
    }
    // This small MLP is honestly trained, so its gradients are useful: nothing should be masked.
    const byFlag = Object.fromEntries(evaluation.diagnostics.map((d) => [d.flag, d]));
    expect(byFlag['accuracy-not-vanishing-at-large-eps']?.raised).toBe(false);
    expect(byFlag['noise-as-strong-as-pgd']?.raised).toBe(false);
    expect(byFlag['adversarial-above-clean']?.raised).toBe(false);
  });

  it('raises the masking flags for a model whose gradients are zero', async () => {
    // Scaling the logits by 1e4 saturates the softmax: same predictions, exactly zero CE gradient.
    const masked = (x: tf.Tensor4D): tf.Tensor2D => tf.mul<tf.Tensor2D>(model.apply(x) as tf.Tensor2D, 1e4);
    const evaluation = await evaluateRobustness(masked, data, [new LinfFgsm(), new LinfSquare({ queries: 100 })], {
      epsilons: [0.3],
      diagnosticsSubset: 50,
    });
    const byFlag = Object.fromEntries(evaluation.diagnostics.map((d) => [d.flag, d]));
    expect(byFlag['zero-input-gradient']?.raised).toBe(true);
    expect(byFlag['softmax-saturated']?.raised).toBe(true);
    expect(byFlag['cross-entropy-weaker-than-margin']?.raised).toBe(true);
    expect(byFlag['black-box-stronger-than-white-box']?.raised).toBe(true);
    expect(byFlag['zero-input-gradient']?.values.share).toBeGreaterThan(0.5);
  });

  it('raises fgsm-far-above-pgd when the paper\'s FGSM is masked and margin-loss PGD is not', async () => {
    const masked = (x: tf.Tensor4D): tf.Tensor2D => tf.mul<tf.Tensor2D>(model.apply(x) as tf.Tensor2D, 1e4);
    const evaluation = await evaluateRobustness(masked, data, [new LinfFgsm(), new LinfPgd({ steps: 10, loss: 'margin' })], {
      epsilons: [0.3],
      diagnosticsSubset: 30,
    });
    expect(evaluation.attacks.map((a) => a.attack)).toEqual(['fgsm', 'pgd-margin']);
    const flag = evaluation.diagnostics.find((d) => d.flag === 'fgsm-far-above-pgd');
    expect(flag?.raised).toBe(true);
    expect(flag!.values.fgsmAccuracy! - flag!.values.pgdAccuracy!).toBeGreaterThan(0.2);
    // The honest model's FGSM is not far above its PGD.
    const honest = await evaluateRobustness(model, data, [new LinfFgsm(), new LinfPgd({ steps: 10 })], { epsilons: [0.3], diagnosticsSubset: 30 });
    expect(honest.diagnostics.find((d) => d.flag === 'fgsm-far-above-pgd')?.raised).toBe(false);
  });

  it('does not count random noise as label leaking', async () => {
    // Noise can fix a clean mistake by chance; only attacks that use the label can leak it.
    const evaluation = await evaluateRobustness(model, data, [new RandomNoise()], { epsilons: [0.1], diagnosticsSubset: 10 });
    const leak = evaluation.diagnostics.find((d) => d.flag === 'adversarial-above-clean');
    expect(leak?.raised).toBe(false);
    expect(leak?.detail).toMatch(/^Not checked/);
  });

  it('leaks no tensors', async () => {
    const run = () =>
      evaluateRobustness(model, data, [new LinfFgsm(), new LinfSquare({ queries: 5 })], {
        epsilons: [0, 0.2],
        diagnosticsSubset: 10,
      });
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid options naming the option', async () => {
    const attacks = [new LinfFgsm()];
    await expect(evaluateRobustness(model, data, attacks, { epsilons: [-1] })).rejects.toThrow(/"epsilons"/);
    await expect(evaluateRobustness(model, data, attacks, { epsilons: [0.1], batchSize: 0 })).rejects.toThrow(/"batchSize"/);
    await expect(evaluateRobustness(model, data, attacks, { epsilons: [0.1], subset: { square: 0 } })).rejects.toThrow(
      /"subset.square"/,
    );
    await expect(
      evaluateRobustness(model, { images: new Float32Array(10), labels: data.labels }, attacks, { epsilons: [0.1] }),
    ).rejects.toThrow(/data.images/);
  });
});
