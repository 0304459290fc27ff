import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { caseName, convCases, outputShape, sizeOf } from '../testing-internal/conv-cases.js';
import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

const backpropInput = (dy: tf.Tensor, filter: tf.Tensor, inputShape: number[], strides: [number, number], pad: unknown) =>
  tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, { strides, pad, dataFormat: 'NHWC', inputShape } as unknown as tf.NamedAttrMap);

describeNative('Conv2DBackpropInput on the native backend', () => {
  for (const c of convCases({ dilations: false })) {
    it(`matches the cpu backend for ${caseName(c)}`, async () => {
      const dyShape = outputShape(c);
      const dy = seededValues(sizeOf(dyShape), 7);
      const f = seededValues(sizeOf(c.filter), 8);
      const error = await parityError(() => backpropInput(tf.tensor4d(dy, dyShape), tf.tensor4d(f, c.filter), c.input, c.strides, c.pad));
      expect(error).toBeLessThanOrEqual(1e-4);
    });
  }

  it('keeps the finite border of the cpu backend when a one-channel filter has an infinite weight', async () => {
    const dy = seededValues(2 * 6 * 6 * 3, 12);
    const f = seededValues(3 * 3 * 1 * 3, 13);
    f[4] = Number.POSITIVE_INFINITY;
    const compute = () => backpropInput(tf.tensor4d(dy, [2, 6, 6, 3]), tf.tensor4d(f, [3, 3, 1, 3]), [2, 8, 8, 1], [1, 1], 'valid');
    const [native] = await runOn('native', compute);
    const [cpu] = await runOn('cpu', compute);
    // The corner element meets only the filter's corner tap: finite on both backends.
    expect(Number.isFinite(native![0])).toBe(true);
    const finite = (values: Float32Array) => Array.from(values, (v) => (Number.isFinite(v) ? 'finite' : String(v)));
    expect(finite(native!)).toEqual(finite(cpu!));
    native!.forEach((v, i) => {
      if (Number.isFinite(v)) expect(Math.abs(v - cpu![i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(cpu![i]!)));
    });
  });

  it('is the adjoint of Conv2D: <conv(x), dy> equals <x, backpropInput(dy)>', async () => {
    const x = seededValues(2 * 9 * 9 * 2, 9);
    const f = seededValues(3 * 3 * 2 * 3, 10);
    const dy = seededValues(2 * 5 * 5 * 3, 11);
    const [left, right] = await runOn('native', () => [
      tf.sum(tf.mul(tf.conv2d(tf.tensor4d(x, [2, 9, 9, 2]), tf.tensor4d(f, [3, 3, 2, 3]), 2, 'same'), tf.tensor4d(dy, [2, 5, 5, 3]))),
      tf.sum(tf.mul(tf.tensor4d(x, [2, 9, 9, 2]), backpropInput(tf.tensor4d(dy, [2, 5, 5, 3]), tf.tensor4d(f, [3, 3, 2, 3]), [2, 9, 9, 2], [2, 2], 'same'))),
    ]);
    expect(Math.abs(left![0]! - right![0]!)).toBeLessThanOrEqual(1e-4 * Math.abs(right![0]!));
  });

  it('leaves no tensor behind', async () => {
    const leaked = await leakedTensors(() => tf.tidy(() => backpropInput(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 3, 2]), [1, 6, 6, 3], [1, 1], 'valid')));
    expect(leaked).toBe(0);
  });
});
