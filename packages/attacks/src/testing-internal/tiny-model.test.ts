import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracyOf, syntheticTensors, trainedTinyMlp, useCpu } from './tiny-model.js';

describe('tiny test model', () => {
  beforeAll(useCpu);

  it('learns the synthetic task well above chance', async () => {
    const model = await trainedTinyMlp();
    const test = syntheticTensors(90, 7);
    const accuracy = accuracyOf(model, test.images, test.labels);
    expect(accuracy).toBeGreaterThan(0.95);
    tf.dispose([test.images, test.labels]);
    model.dispose();
  });
});
