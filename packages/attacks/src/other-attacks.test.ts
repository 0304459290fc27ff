import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfFgsmRandomStart } from './linf-fgsm-random-start.js';
import { LinfPgd } from './linf-pgd.js';
import { RandomNoise } from './random-noise.js';
import { Transfer } from './transfer.js';
import { createRng } from '@apb/core';
import { accuracyOf, syntheticTensors, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
let source: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
  source = await trainedTinyMlp(5);
  ({ images, labels } = syntheticTensors(60, 41));
});

afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
  source.dispose();
});

describe('LinfFgsmRandomStart', () => {
  it('is an FGSM step of size alpha from the seeded random start', () => {
    const eps = 0.2;
    const alpha = 0.25;
    const crafted = new LinfFgsmRandomStart({ alpha, seed: 4 }).craft(model, images, labels, eps);
    // Rebuild by hand: the same seeded noise, the start projected, one signed gradient step, projected.
    const noise = createRng(4).uniform(images.size, -eps, eps);
    const expected = tf.tidy(() => {
      const clip = (x: tf.Tensor): tf.Tensor =>
        tf.clipByValue(tf.minimum(tf.maximum(x, tf.sub(images, eps)), tf.add(images, eps)), 0, 1);
      const start = clip(tf.add(images, tf.tensor(noise, images.shape))) as tf.Tensor4D;
      const step = new LinfFgsm().craft(model, start, labels, alpha);
      // LinfFgsm projects around `start` with radius alpha, which contains the full step.
      return clip(step);
    });
    const a = crafted.dataSync();
    const b = expected.dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 6));
    tf.dispose([crafted, expected]);
  });

  it('defaults alpha to 1.25 eps and rejects a bad alpha naming it', () => {
    expect(new LinfFgsmRandomStart().params.alpha).toBe('1.25*eps');
    expect(() => new LinfFgsmRandomStart({ alpha: 0 })).toThrow(/"alpha"/);
    expect(() => new LinfFgsmRandomStart({ alpha: Number.NaN })).toThrow(/"alpha"/);
  });
});

describe('RandomNoise', () => {
  it('adds seeded uniform noise that fills the eps-ball', () => {
    const raw = new RandomNoise({ seed: 2 }).craft(model, images, labels, 0.1);
    const delta = tf.tidy(() => tf.sub(raw, images).dataSync());
    let low = 0;
    let high = 0;
    for (const d of delta) {
      low = Math.min(low, d);
      high = Math.max(high, d);
    }
    // Clipping to [0, 1] only shrinks it; the ball edges are still reached somewhere.
    expect(low).toBeLessThan(-0.09);
    expect(high).toBeGreaterThan(0.09);
    raw.dispose();
  });

  it('does far less damage than PGD on a trained model', () => {
    const noisy = new RandomNoise().craft(model, images, labels, 0.3);
    const pgd = new LinfPgd({ steps: 20 }).craft(model, images, labels, 0.3);
    expect(accuracyOf(model, noisy, labels)).toBeGreaterThan(accuracyOf(model, pgd, labels) + 0.2);
    tf.dispose([noisy, pgd]);
  });
});

describe('Transfer', () => {
  it('uses the adversarials the inner attack crafts on the source model', () => {
    const inner = new LinfPgd({ steps: 10, seed: 3 });
    const viaTransfer = new Transfer({ source, attack: inner }).craft(model, images, labels, 0.3);
    const direct = new LinfPgd({ steps: 10, seed: 3 }).craft(source, images, labels, 0.3);
    expect(Array.from(viaTransfer.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([viaTransfer, direct]);
  });

  it('transfers between two models trained on the same task', () => {
    const crafted = new Transfer({ source, attack: new LinfPgd({ steps: 20 }) }).craft(model, images, labels, 0.35);
    expect(accuracyOf(model, crafted, labels)).toBeLessThan(accuracyOf(model, images, labels) - 0.2);
    crafted.dispose();
  });

  it('rejects a missing source or attack naming the option', () => {
    expect(() => new Transfer({ source: undefined as unknown as tfl.LayersModel, attack: new LinfFgsm() })).toThrow(/"source"/);
    expect(() => new Transfer({ source, attack: 'pgd' as unknown as LinfFgsm })).toThrow(/"attack"/);
  });

  it('records its results under the given name, transfer by default', () => {
    expect(new Transfer({ source, attack: new LinfFgsm() }).name).toBe('transfer');
    expect(new Transfer({ source, attack: new LinfFgsm(), name: 'transfer-fgsm' }).name).toBe('transfer-fgsm');
    expect(() => new Transfer({ source, attack: new LinfFgsm(), name: 'Transfer FGSM' })).toThrow(/"name"/);
  });
});
