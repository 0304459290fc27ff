import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LinfFgsm } from './linf-fgsm.js';
import { useCpu } from './testing-internal/tiny-model.js';

beforeAll(useCpu);

// A linear classifier on 2x2 images: logits = x W. Then d CE / d x = W (softmax(z) - onehot(y)).
const weights = [
  [1, -1, 0.5],
  [-0.5, 2, 0],
  [0.3, 0.3, -1],
  [0, -2, 1],
];
const linear = (x: tf.Tensor4D): tf.Tensor2D => tf.matMul(tf.reshape(x, [-1, 4]), tf.tensor2d(weights));

function expectedStep(x: number[], label: number, eps: number): number[] {
  const z = [0, 1, 2].map((k) => x.reduce((s, v, i) => s + v * (weights[i]?.[k] as number), 0));
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
  return x.map((v, i) => {
    const g = [0, 1, 2].reduce((s, k) => s + (weights[i]?.[k] as number) * ((p[k] as number) - (k === label ? 1 : 0)), 0);
    return v + eps * Math.sign(g);
  });
}

describe('LinfFgsm', () => {
  it('steps eps along the sign of the hand-computed cross-entropy gradient', async () => {
    const x = [0.5, 0.5, 0.2, 0.9];
    const images = tf.tensor4d(x, [1, 2, 2, 1]);
    const labels = tf.tensor1d([0], 'int32');
    const [output] = await new LinfFgsm().run(linear, images, labels, { epsilons: [0.1] });
    if (output === undefined) throw new Error('no output');
    const expected = expectedStep(x, 0, 0.1);
    Array.from(output.raw.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
    // The base class clips to [0, 1] only after the attack: 0.9 + 0.1 stays 1.
    Array.from(output.clipped.dataSync()).forEach((v, i) =>
      expect(v).toBeCloseTo(Math.min(1, Math.max(0, expected[i] as number)), 6),
    );
    tf.dispose([images, labels, output.raw, output.clipped, output.success]);
  });

  it('does not move an example whose gradient is exactly zero (the masking FGSM cannot see)', () => {
    const saturated = (x: tf.Tensor4D): tf.Tensor2D => tf.mul<tf.Tensor2D>(linear(x), 1e4);
    const images = tf.tensor4d([0.5, 0.5, 0.2, 0.9], [1, 2, 2, 1]);
    const predicted = tf.tidy(() => tf.cast(tf.argMax(saturated(images), -1), 'int32') as tf.Tensor1D);
    const crafted = new LinfFgsm().craft(saturated, images, predicted, 0.3);
    expect(Array.from(crafted.dataSync())).toEqual(Array.from(images.dataSync()));
    const margin = new LinfFgsm({ loss: 'margin' }).craft(saturated, images, predicted, 0.3);
    expect(Array.from(margin.dataSync())).not.toEqual(Array.from(images.dataSync()));
    tf.dispose([images, predicted, crafted, margin]);
  });

  it('rejects an unknown loss naming the option', () => {
    expect(() => new LinfFgsm({ loss: 'hinge' as 'ce' })).toThrow(/"loss"/);
  });
});
