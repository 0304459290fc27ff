import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { fgsm, pgd, type LogitsFn } from './attacks.js';

/** logits = x W + b for x of shape [n, inputs]; W is [inputs, classes]. */
function linear(weights: number[][], bias: number[]): LogitsFn {
  return (x) => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, tf.tensor2d(weights)), tf.tensor1d(bias)));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fgsm', () => {
  // x = [0.5, 0.5], true class 0: logits [0, 0, -1], softmax [0.4223, 0.4223, 0.1554].
  // Cross-entropy gradient (p - y) W^T = [0.4223 - 3 * 0.1554, -0.4223 + 0.1554] = [-0.044, -0.267]: signs [-, -].
  // Margin z_1 - z_0 (class 1 is the runner-up): gradient W[:,1] - W[:,0] = [1, -1]: signs [+, -].
  const model = linear([[0, 1, -3], [0, -1, 1]], [0, 0, 0]);

  it('steps eps against the sign of the cross-entropy gradient', () => {
    const adversarial = fgsm(model, tf.tensor2d([[0.5, 0.5]]), [0], 0.1, 'cross-entropy');
    expect(Array.from(adversarial.dataSync())).toEqual([expect.closeTo(0.4, 6), expect.closeTo(0.4, 6)]);
    adversarial.dispose();
  });

  it('steps along the margin gradient, which differs from cross-entropy here', () => {
    const adversarial = fgsm(model, tf.tensor2d([[0.5, 0.5]]), [0], 0.1, 'margin');
    expect(Array.from(adversarial.dataSync())).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.4, 6)]);
    adversarial.dispose();
  });

  it('clips to [0, 1] and attacks each example of a batch on its own label', () => {
    // Two classes: the cross-entropy gradient sign is W[:,1] - W[:,0] = [+, -] for label 0 and [-, +] for label 1.
    const twoClass = linear([[0, 1], [0, -1]], [0, 0]);
    const adversarial = fgsm(twoClass, tf.tensor2d([[0.95, 0.05], [0.5, 0.5]]), [0, 1], 0.1);
    expect(Array.from(adversarial.dataSync())).toEqual([1, 0, 0.4, 0.6].map((value) => expect.closeTo(value, 6)));
    adversarial.dispose();
  });

  it('leaks no tensors and rejects an eps outside [0, 1]', () => {
    const images = tf.tensor2d([[0.5, 0.5]]);
    const before = tf.memory().numTensors;
    fgsm(model, images, [0], 0.2, 'margin').dispose();
    fgsm(model, images, [0], 0.2).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => fgsm(model, images, [0], -0.1)).toThrow('eps must be a number in [0, 1], got -0.1');
    images.dispose();
  });
});

describe('pgd', () => {
  // Two classes, label 0: the gradient sign is [+, -] everywhere, so each step is +stepSize, -stepSize.
  const model = linear([[0, 1], [0, -1]], [0, 0]);

  it('takes signed steps of stepSize, stays within eps of the image and within [0, 1]', () => {
    const images = tf.tensor2d([[0.5, 0.9], [0.9, 0.1]]);
    const twoSteps = pgd(model, images, [0, 0], 0.3, { steps: 2, stepSize: 0.1 });
    expect(Array.from(twoSteps.dataSync())).toEqual([0.7, 0.7, 1, 0].map((value) => expect.closeTo(value, 6)));
    // Ten default steps of 2.5 * 0.3 / 10 = 0.075 walk to the edge of the eps-ball and stop there.
    const tenSteps = pgd(model, images, [0, 0], 0.3);
    expect(Array.from(tenSteps.dataSync())).toEqual([0.8, 0.6, 1, 0].map((value) => expect.closeTo(value, 6)));
    tf.dispose([images, twoSteps, tenSteps]);
  });

  it('leaks no tensors and rejects a step count that is not a positive integer', () => {
    const images = tf.tensor2d([[0.5, 0.5]]);
    const before = tf.memory().numTensors;
    pgd(model, images, [0], 0.1, { steps: 3 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => pgd(model, images, [0], 0.1, { steps: 0 })).toThrow('steps must be a positive integer, got 0');
    images.dispose();
  });
});
