import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { lenet } from './testing-internal/lenet.js';
import { describeNative, useNative } from './testing-internal/parity.js';

describeNative('memory on the native backend', () => {
  it('leaks neither tensors nor resident memory over 1,000 LeNet training steps', async () => {
    await useNative(2);
    const model = lenet(3);
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3, 5, 7], 'int32'), 10));
    const step = () => tf.dispose(optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.apply(x, { training: true }) as tf.Tensor), true) ?? []);
    // Warm-up creates the optimizer slots and the addon's reusable scratch buffers.
    for (let i = 0; i < 50; i++) step();
    const tensorsBefore = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) step();
    global.gc?.();
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    // One step allocates about 0.3 MB of activations; a leak of one step's worth would add 300 MB.
    expect(rssGrowth).toBeLessThan(40 * 1024 * 1024);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
