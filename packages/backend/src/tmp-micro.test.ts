import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './index.js';
function time(label: string, f: () => tf.Tensor, n = 30) {
  for (let i = 0; i < 3; i++) f().dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) { const t = f(); t.dataSync(); t.dispose(); }
  const c = process.cpuUsage(c0);
  console.log(label, ((c.user + c.system) / 1000 / n).toFixed(2), 'ms cpu');
}
it('micro', async () => {
  await initBackend({ backend: 'wasm' });
  const a = tf.randomNormal([128, 256]); const b = tf.randomNormal([128, 120]);
  const at = tf.transpose(a);
  time('matmul tA [128,256]x[128,120]', () => tf.matMul(a, b, true, false));
  time('matmul plain [256,128]x[128,120]', () => tf.matMul(at, b));
  time('transpose+matmul', () => tf.tidy(() => tf.matMul(tf.transpose(a), b)));
  const w = tf.randomNormal([256, 120]);
  time('matmul tB [128,120]x[256,120]^T', () => tf.matMul(b, w, false, true));
  time('matmul fwd [128,256]x[256,120]', () => tf.matMul(a, w));
  const dy = tf.randomNormal([128, 8, 8, 16]); const f = tf.randomNormal([5, 5, 6, 16]);
  time('conv2DBackpropInput', () => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, [128, 12, 12, 6], 1, 'valid'));
  time('conv as backprop input', () => tf.tidy(() => tf.conv2d(dy as tf.Tensor4D, tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, [[0, 0], [4, 4], [4, 4], [0, 0]])));
  const x = tf.randomNormal([128, 24, 24, 6]); const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'); const dyp = tf.randomNormal(y.shape);
  time('maxPoolGrad', () => tf.engine().runKernel('MaxPoolGrad', { dy: dyp, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor);
  const bias = tf.randomNormal([6]);
  time('add bias [128,24,24,6]+[6]', () => tf.add(x, bias));
  time('relu', () => tf.relu(x));
  time('sum bias grad', () => tf.sum(x, [0, 1, 2]));
}, 120000);
