import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attack } from './attack.js';
import { createAttack } from './create-attack.js';
import { evaluateRobustness } from './evaluate-robustness.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfFgsmRandomStart } from './linf-fgsm-random-start.js';
import { LinfPgd } from './linf-pgd.js';
import { LinfSquare } from './linf-square.js';
import { Transfer } from './transfer.js';
import { syntheticData, syntheticTensors, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;
let targets: tf.Tensor1D;

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
  ({ images, labels } = syntheticTensors(60, 61));
  // The next class, so no target equals its true label.
  targets = tf.tidy(() => tf.mod<tf.Tensor1D>(tf.add(labels, 1), 3));
});

afterAll(() => {
  tf.dispose([images, labels, targets]);
  model.dispose();
});

function predictions(x: tf.Tensor4D): number[] {
  return Array.from(tf.tidy(() => tf.argMax(model.apply(x) as tf.Tensor2D, -1).dataSync()));
}

describe('targeted mode', () => {
  it('steps FGSM down the cross-entropy of the target, the opposite of the untargeted step', () => {
    const weights = tf.tensor2d([1, -1, 0.5, -0.5, 2, 0, 0.3, 0.3, -1, 0, -2, 1], [4, 3]);
    const linear = (x: tf.Tensor4D): tf.Tensor2D => tf.matMul(tf.reshape(x, [-1, 4]), weights);
    const x = tf.tensor4d([0.5, 0.5, 0.5, 0.5], [1, 2, 2, 1]);
    const target = tf.tensor1d([2], 'int32');
    const toward = new LinfFgsm({ targeted: true }).craft(linear, x, target, 0.1);
    const away = new LinfFgsm().craft(linear, x, target, 0.1);
    // Both stay inside [0, 1] here, so the two steps are exact mirror images around x.
    const a = toward.dataSync();
    const b = away.dataSync();
    a.forEach((v, i) => expect(v - 0.5).toBeCloseTo(-((b[i] as number) - 0.5), 6));
    tf.dispose([weights, x, target, toward, away]);
  });

  it.each<[string, () => Attack]>([
    ['LinfPgd', () => new LinfPgd({ steps: 20, targeted: true })],
    ['LinfFgsmRandomStart', () => new LinfFgsmRandomStart({ targeted: true })],
    ['LinfSquare', () => new LinfSquare({ queries: 300, targeted: true })],
  ])('%s reaches the target at eps 1 and marks success where it does', async (_name, make) => {
    const [output] = await make().run(model, images, targets, { epsilons: [1] });
    if (output === undefined) throw new Error('no output');
    const predicted = predictions(output.clipped);
    const wanted = Array.from(targets.dataSync());
    const success = Array.from(output.success.dataSync());
    success.forEach((s, i) => expect(s).toBe(predicted[i] === wanted[i] ? 1 : 0));
    expect(success.reduce((sum, s) => sum + s, 0) / success.length).toBeGreaterThan(0.5);
    tf.dispose([output.raw, output.clipped, output.success]);
  });

  it('PGD hits the target on every example at eps 1, and keeps the best restart', () => {
    const crafted = new LinfPgd({ steps: 20, restarts: 2, targeted: true }).craft(model, images, targets, 1);
    expect(predictions(crafted)).toEqual(Array.from(targets.dataSync()));
    crafted.dispose();
  });

  it('follows the inner attack in a transfer and is settable from createAttack', () => {
    const transfer = new Transfer({ source: model, attack: new LinfPgd({ targeted: true }) });
    expect(transfer.targeted).toBe(true);
    expect(createAttack('pgd', { targeted: true }).targeted).toBe(true);
    expect(() => createAttack('fgsm', { targeted: 'yes' })).toThrow(/"targeted"/);
  });

  it('is refused by evaluateRobustness, which measures untargeted robustness', async () => {
    await expect(
      evaluateRobustness(model, syntheticData(10, 1), [new LinfFgsm({ targeted: true })], { epsilons: [0.1] }),
    ).rejects.toThrow(/targeted/);
  });
});
