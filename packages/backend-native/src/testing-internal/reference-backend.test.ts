import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { registerReferenceBackend, REFERENCE_BACKEND } from './reference-backend.js';
import { relativeError, seededValues } from './parity.js';

it('computes the same filter gradient as the cpu backend, for the training test', async () => {
  registerReferenceBackend();
  const x = seededValues(3 * 12 * 12 * 6, 50);
  const dy = seededValues(3 * 8 * 8 * 16, 51);
  const run = () => tf.tidy(() => Float32Array.from((tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: tf.tensor4d(x, [3, 12, 12, 6]), dy: tf.tensor4d(dy, [3, 8, 8, 16]) },
    { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [5, 5, 6, 16] })).dataSync()));
  await tf.setBackend('cpu');
  const expected = run();
  await tf.setBackend(REFERENCE_BACKEND);
  const before = tf.memory().numTensors;
  const actual = run();
  expect(tf.memory().numTensors).toBe(before);
  expect(relativeError(actual, expected)).toBeLessThanOrEqual(1e-5);
});
