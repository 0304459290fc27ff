import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runOn, seededValues } from '../testing-internal/parity.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

const explicitPads: Pad[] = [
  [[0, 0], [1, 2], [2, 0], [0, 0]],
  // Wider than the filter: the kernel hands this case to wasm's original implementation.
  [[0, 0], [5, 1], [0, 4], [0, 0]],
];

const cases: { batch: number; size: [number, number]; inChannels: number; outChannels: number; filter: [number, number]; strides: [number, number]; pad: Pad }[] = [];
for (const strides of [[1, 1], [2, 2], [2, 1], [3, 3]] as [number, number][]) {
  for (const pad of ['valid', 'same', ...explicitPads] as Pad[]) {
    cases.push({ batch: 2, size: [9, 9], inChannels: 1, outChannels: 3, filter: [3, 3], strides, pad });
    cases.push({ batch: 3, size: [12, 10], inChannels: 4, outChannels: 5, filter: [5, 5], strides, pad });
    cases.push({ batch: 1, size: [7, 8], inChannels: 3, outChannels: 2, filter: [2, 4], strides, pad });
  }
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('Conv2DBackpropInput on wasm (XNNPACK convolution)', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((c) => [`x ${c.batch}x${c.size.join('x')}x${c.inChannels}, filter ${c.filter.join('x')}x${c.inChannels}x${c.outChannels}, strides ${c.strides.join(',')}, pad ${JSON.stringify(c.pad)}`, c] as const))(
    'matches the cpu backend for %s',
    async (_name, c) => {
      const inputShape = [c.batch, ...c.size, c.inChannels];
      const filterShape = [...c.filter, c.inChannels, c.outChannels];
      const info = tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], filterShape as [number, number, number, number], c.strides, 1, c.pad);
      const dyShape = [c.batch, info.outHeight, info.outWidth, c.outChannels];
      const inputs = {
        dy: { shape: dyShape, values: seededValues(size(dyShape), 31) },
        filter: { shape: filterShape, values: seededValues(size(filterShape), 32) },
      };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape };
      const actual = await runOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
      const expected = await runOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
      expect(actual.shape).toEqual(inputShape);
      expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
    },
  );

  it('matches the cpu backend for NCHW data', async () => {
    const inputs = {
      dy: { shape: [2, 4, 4, 4], values: seededValues(2 * 4 * 4 * 4, 33) },
      filter: { shape: [3, 2, 3, 4], values: seededValues(3 * 2 * 3 * 4, 34) },
    };
    const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NCHW', inputShape: [2, 3, 10, 9] };
    const actual = await runOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    const expected = await runOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors and frees every intermediate on the wasm heap', async () => {
    await tf.setBackend('wasm');
    const dy = tf.tensor4d(seededValues(2 * 4 * 4 * 2, 35), [2, 4, 4, 2]);
    const filter = tf.tensor4d(seededValues(3 * 3 * 3 * 2, 36), [3, 3, 3, 2]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    const dx = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', inputShape: [2, 9, 9, 3] });
    dx.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    tf.dispose([dy, filter]);
  });
});
