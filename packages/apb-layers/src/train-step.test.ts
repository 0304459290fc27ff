import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ApbSpec } from './apb-options.js';
import { denseApb } from './dense-apb.js';
import { lenet } from './lenet.js';
import { softmaxCrossEntropyLoss, trainStep, trainStepWithHits } from './train-step.js';

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

describe('trainStepWithHits', () => {
  it('counts the correct predictions of the batch before the update, for index and one-hot labels', () => {
    const model = smallModel({ kind: 'naive' });
    const x = tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 3);
    const indices = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const predicted = tf.tidy(() => Array.from(tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync()));
    const labels = Array.from(indices.dataSync());
    const expected = predicted.filter((label, i) => label === labels[i]).length;
    // The APB moves in every training step, so the one-hot case runs on a second, identical model.
    const first = trainStepWithHits(model, tf.train.sgd(0), x, indices);
    expect(first.hits).toBe(expected);
    const oneHot = tf.oneHot(indices, 8);
    const second = trainStepWithHits(smallModel({ kind: 'naive' }), tf.train.sgd(0), x, oneHot);
    expect(second.hits).toBe(expected);
    expect(second.loss).toBe(first.loss);
    tf.dispose([x, indices, oneHot]);
  });

  it('returns the same loss as trainStep and leaks no tensors', () => {
    const x = tf.randomUniform([4, 4, 4, 1], 0, 1, 'float32', 4);
    const labels = tf.tensor1d([1, 2, 3, 4], 'int32');
    const a = smallModel({ kind: 'naive' });
    const b = smallModel({ kind: 'naive' });
    const optimizer = tf.train.adam(0.01);
    expect(trainStepWithHits(b, optimizer, x, labels).loss).toBe(trainStep(a, tf.train.adam(0.01), x, labels));
    // adam made its moment variables on that first step; later steps add nothing.
    const settled = tf.memory().numTensors;
    for (let i = 0; i < 20; i += 1) trainStepWithHits(b, optimizer, x, labels);
    expect(tf.memory().numTensors).toBe(settled);
    tf.dispose([x, labels]);
  });
});
