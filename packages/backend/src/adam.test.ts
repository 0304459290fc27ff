import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';

import { adam } from './adam.js';
import { initBackend } from './init-backend.js';
import { listBackends } from './list-backends.js';

const nativeAvailable = (await listBackends()).find((entry) => entry.backend === 'native')?.available === true;

/** Ten Adam steps on a small least-squares problem; the final weights. */
function train(optimizer: tf.Optimizer): Float32Array {
  const w = tf.variable(tf.tensor2d([[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2]]));
  const b = tf.variable(tf.tensor1d([0.05, -0.05]));
  const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2], [0.2, -0.7, 1.1]]);
  const y = tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5]]);
  for (let i = 0; i < 10; i += 1) optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)));
  const out = tf.concat([tf.reshape(w, [-1]), b]).dataSync() as Float32Array;
  tf.dispose([w, b, x, y]);
  optimizer.dispose();
  return out;
}

describe('adam', () => {
  it.skipIf(!nativeAvailable)('is the fused Adam on native, with bitwise the stock optimizer numbers', async () => {
    await initBackend({ backend: 'native' });
    const optimizer = adam(0.01);
    expect(optimizer.constructor.name).toBe('FusedAdamOptimizer');
    const kernel = tf.getKernel('ApbAdamUpdate', 'native');
    if (kernel === undefined) throw new Error('native registers no ApbAdamUpdate kernel');
    let calls = 0;
    tf.unregisterKernel(kernel.kernelName, 'native');
    tf.registerKernel({ ...kernel, kernelFunc: (args) => ((calls += 1), kernel.kernelFunc(args)) });
    try {
      const fused = train(optimizer);
      expect(calls).toBe(10);
      expect(Array.from(fused)).toEqual(Array.from(train(tf.train.adam(0.01))));
    } finally {
      tf.unregisterKernel(kernel.kernelName, 'native');
      tf.registerKernel(kernel);
    }
  });

  it('is the stock tf.train.adam numbers on cpu', async () => {
    await initBackend({ backend: 'cpu' });
    expect(Array.from(train(adam(0.01)))).toEqual(Array.from(train(tf.train.adam(0.01))));
  });
});
