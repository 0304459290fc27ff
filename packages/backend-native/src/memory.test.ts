import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { lenet } from './testing-internal/lenet.js';
import { describeNative, useNative } from './testing-internal/parity.js';

// A forced collection before each reading, so RSS reflects live memory rather than GC timing.
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

describeNative('memory on the native backend', () => {
  it('leaks neither tensors nor resident memory over 1,000 LeNet training steps', async () => {
    await useNative(2);
    const model = lenet(3);
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3, 5, 7], 'int32'), 10));
    const step = () => tf.dispose(optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.apply(x, { training: true }) as tf.Tensor), true) ?? []);
    // Warm-up creates the optimizer slots, the addon's scratch buffers and the heap they settle in.
    for (let i = 0; i < 100; i++) step();
    const tensorsBefore = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    collectGarbage();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) step();
    collectGarbage();
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    // One step allocates about 0.4 MB of activations; leaking even a tenth of them would add 40 MB.
    expect(rssGrowth).toBeLessThan(40 * 1024 * 1024);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
