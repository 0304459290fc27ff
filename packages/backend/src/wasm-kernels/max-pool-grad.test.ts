import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runOn, seededValues } from '../testing-internal/parity.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * wasm 4.22.0's own MaxPoolGrad drops the gradient of windows whose maximum is negative (see the
 * README); our models pool after ReLU, where every value is >= 0. These tests pin down that the
 * kernel agrees with cpu there, so a LeNet step on wasm is exact.
 */
describe("wasm's MaxPoolGrad on non-negative inputs (pooling after ReLU)", () => {
  beforeAll(prepareBackends);

  it.each([
    [[2, 24, 24, 6], 'valid'],
    [[3, 8, 8, 16], 'valid'],
    [[2, 9, 11, 3], 'same'],
  ] as const)('matches the cpu backend for x %j, window 2, stride 2, pad %s', async (shape, pad) => {
    const values = seededValues(size([...shape]), 71).map(Math.abs);
    await tf.setBackend('cpu');
    const y = tf.maxPool(tf.tensor4d(values, [...shape] as [number, number, number, number]), 2, 2, pad);
    const output = { shape: y.shape as number[], values: (await y.data()) as Float32Array };
    y.dispose();
    const inputs = { dy: { shape: output.shape, values: seededValues(size(output.shape), 72) }, input: { shape: [...shape], values }, output };
    const attrs = { filterSize: 2, strides: 2, pad };
    const actual = await runOn('wasm', 'MaxPoolGrad', inputs, attrs);
    const expected = await runOn('cpu', 'MaxPoolGrad', inputs, attrs);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });
});
