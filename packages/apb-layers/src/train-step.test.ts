import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ApbSpec } from './apb-options.js';
import { denseApb } from './dense-apb.js';
import { lenet } from './lenet.js';
import { softmaxCrossEntropyLoss, trainStep } from './train-step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// LeNet training is slow on the cpu backend; the loop itself is tested on a small APB MLP.
function smallModel(apb: ApbSpec): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [4, 4, 1] }));
  model.add(denseApb({ units: 12, activation: 'relu', apb, eps: 0.001, seed: 1 }));
  model.add(denseApb({ units: 8, apb, eps: 0.001, seed: 2 }));
  return model;
}

describe('trainStep', () => {
  it('returns the batch loss before the update, equal to softmax cross-entropy of the logits', () => {
    const model = lenet({ apb: { kind: 'naive' }, seed: 2 });
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1);
    const labels = tf.tensor1d([0, 3, 5, 9], 'int32');
    const expected = tf.tidy(() => softmaxCrossEntropyLoss(tf.oneHot(labels, 10), model.predict(x) as tf.Tensor).dataSync()[0]);
    const loss = trainStep(model, tf.train.sgd(0.05), x, labels);
    expect(loss).toBeCloseTo(expected ?? Number.NaN, 5);
    tf.dispose([x, labels]);
  });

  it('lowers the loss on a fixed batch over a few steps and moves the APB', () => {
    const model = smallModel({ kind: 'naive' });
    const x = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 1);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 8);
    const optimizer = tf.train.adam(0.01);
    const delta = (): number[] => Array.from(model.layers[2]?.getWeights()[1]?.dataSync() ?? []);
    const before = delta();
    const losses = Array.from({ length: 10 }, () => trainStep(model, optimizer, x, labels));
    expect(losses.at(-1)).toBeLessThan(losses[0] ?? 0);
    expect(delta()).not.toEqual(before);
    tf.dispose([x, labels]);
  });

  it('leaks no tensors over 100 steps', () => {
    const model = smallModel({ kind: 'multimodal', memories: 8 });
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1);
    const labels = tf.tensor1d([1, 2], 'int32');
    const optimizer = tf.train.adam(0.001);
    trainStep(model, optimizer, x, labels);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i += 1) {
      trainStep(model, optimizer, x, labels);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
  });
});
