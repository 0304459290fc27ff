import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { caseName, convCases, outputShape, sizeOf } from '../testing-internal/conv-cases.js';
import { describeNative, leakedTensors, parityError, runOn, seededValues } from '../testing-internal/parity.js';

const backpropFilter = (x: tf.Tensor, dy: tf.Tensor, filterShape: number[], strides: [number, number], pad: unknown) =>
  tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap);

describeNative('Conv2DBackpropFilter on the native backend', () => {
  for (const c of convCases({ dilations: false })) {
    it(`matches the cpu backend for ${caseName(c)}`, async () => {
      const dyShape = outputShape(c);
      const x = seededValues(sizeOf(c.input), 12);
      const dy = seededValues(sizeOf(dyShape), 13);
      const error = await parityError(() => backpropFilter(tf.tensor4d(x, c.input), tf.tensor4d(dy, dyShape), c.filter, c.strides, c.pad));
      expect(error).toBeLessThanOrEqual(1e-4);
    });
  }

  it('matches central finite differences of the filter gradient', async () => {
    const x = seededValues(1 * 6 * 6 * 2, 14);
    const f = seededValues(3 * 3 * 2 * 2, 15);
    const loss = (filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [1, 6, 6, 2]), filter as tf.Tensor4D, 1, 'same')));
    const [grad] = await runOn('native', () => tf.grad(loss)(tf.tensor4d(f, [3, 3, 2, 2])));
    const [numeric] = await runOn('native', () => {
      const h = 1e-2;
      const values: number[] = [];
      for (let i = 0; i < f.length; i++) {
        const plus = Float32Array.from(f);
        const minus = Float32Array.from(f);
        plus[i]! += h;
        minus[i]! -= h;
        values.push((loss(tf.tensor4d(plus, [3, 3, 2, 2])).dataSync()[0]! - loss(tf.tensor4d(minus, [3, 3, 2, 2])).dataSync()[0]!) / (2 * h));
      }
      return tf.tensor1d(values);
    });
    for (let i = 0; i < f.length; i++) expect(grad![i]!).toBeCloseTo(numeric![i]!, 1);
  });

  it('leaves no tensor behind', async () => {
    const leaked = await leakedTensors(() => tf.tidy(() => backpropFilter(tf.ones([2, 6, 6, 3]), tf.ones([2, 4, 4, 2]), [3, 3, 3, 2], [1, 1], 'valid')));
    expect(leaked).toBe(0);
  });
});
