import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinfSquare, squareFraction } from './linf-square.js';
import { accuracyOf, syntheticTensors, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
  ({ images, labels } = syntheticTensors(60, 31));
});

afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
});

describe('LinfSquare', () => {
  it('lowers the accuracy of an undefended model without gradients', () => {
    const clean = accuracyOf(model, images, labels);
    const adversarial = new LinfSquare({ queries: 200, seed: 1 }).craft(model, images, labels, 0.3);
    const attacked = accuracyOf(model, adversarial, labels);
    expect(clean).toBeGreaterThan(0.9);
    expect(attacked).toBeLessThan(clean - 0.3);
    adversarial.dispose();
  });

  it('never takes a gradient of the model', () => {
    let calls = 0;
    const counted = (x: tf.Tensor4D): tf.Tensor2D => {
      calls++;
      // A model whose gradient is poisoned: any backward pass through it throws.
      const logits = model.apply(x) as tf.Tensor2D;
      const poisoned = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.clone(inputs[0] as tf.Tensor),
        gradFunc: (): tf.Tensor => {
          throw new Error('gradient taken');
        },
      }));
      return poisoned(logits) as tf.Tensor2D;
    };
    const adversarial = new LinfSquare({ queries: 20 }).craft(counted, images, labels, 0.3);
    expect(calls).toBeGreaterThan(1);
    adversarial.dispose();
  });

  it('queries each example at most its budget (plus one clean check)', () => {
    const perExample = new Map<number, number>();
    const budget = 15;
    // Logits that cannot be fooled (constant margin), so every example spends its whole budget.
    const stubborn = (x: tf.Tensor4D): tf.Tensor2D => {
      const n = x.shape[0];
      perExample.set(n, (perExample.get(n) ?? 0) + 1);
      return tf.tidy(() => tf.add<tf.Tensor2D>(tf.reshape(tf.mul(tf.sum(x, [1, 2, 3]), 0), [n, 1]), tf.oneHot(tf.zeros([n], 'int32'), 3)));
    };
    const zeros = tf.zeros<tf.Rank.R1>([4], 'int32');
    const batch = tf.slice(images, [0, 0, 0, 0], [4, -1, -1, -1]);
    new LinfSquare({ queries: budget }).craft(stubborn, batch, zeros, 0.3).dispose();
    // One clean pass plus `budget` passes (initial stripes and budget - 1 squares), all on 4 examples.
    expect(perExample.get(4)).toBe(budget + 1);
    tf.dispose([zeros, batch]);
  });

  it('halves the square size on the schedule of the paper, rescaled to the budget', () => {
    expect(squareFraction(0.8, 0, 10_000)).toBe(0.8);
    expect(squareFraction(0.8, 10, 10_000)).toBe(0.8);
    expect(squareFraction(0.8, 11, 10_000)).toBe(0.4);
    expect(squareFraction(0.8, 51, 10_000)).toBe(0.2);
    expect(squareFraction(0.8, 201, 10_000)).toBe(0.1);
    expect(squareFraction(0.8, 8001, 10_000)).toBeCloseTo(0.8 / 512, 12);
    expect(squareFraction(0.8, 60, 1000)).toBe(0.8 / 16);
    expect(squareFraction(0.8, 101, 1000)).toBe(0.8 / 32);
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new LinfSquare({ queries: 0 })).toThrow(/"queries"/);
    expect(() => new LinfSquare({ pInit: 0 })).toThrow(/"pInit"/);
    expect(() => new LinfSquare({ pInit: 1.5 })).toThrow(/"pInit"/);
    expect(() => new LinfSquare({ seed: -1 })).toThrow(/"seed"/);
  });
});
