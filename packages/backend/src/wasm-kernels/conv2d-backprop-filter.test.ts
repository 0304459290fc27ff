import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runOn, seededValues } from '../testing-internal/parity.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  batch: number;
  size: [number, number];
  inChannels: number;
  outChannels: number;
  filter: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

const explicit: Pad = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

const cases: Case[] = [];
for (const strides of [[1, 1], [2, 2], [2, 1], [3, 3]] as [number, number][]) {
  for (const pad of ['valid', 'same', explicit] as Pad[]) {
    for (const [batch, size, inChannels, outChannels, filter] of [
      [2, [9, 9], 1, 3, [3, 3]],
      [3, [12, 10], 4, 5, [5, 5]],
      [1, [7, 8], 3, 2, [2, 4]],
    ] as [number, [number, number], number, number, [number, number]][]) {
      cases.push({ batch, size, inChannels, outChannels, filter, strides, dilations: [1, 1], pad });
    }
  }
}
for (const dilations of [[2, 2], [2, 3]] as [number, number][]) {
  for (const strides of [[1, 1], [2, 2]] as [number, number][]) {
    for (const pad of ['valid', 'same', explicit] as Pad[]) {
      cases.push({ batch: 2, size: [11, 12], inChannels: 2, outChannels: 3, filter: [3, 2], strides, dilations, pad });
    }
  }
}

const label = (c: Case) =>
  `x ${c.batch}x${c.size.join('x')}x${c.inChannels}, filter ${c.filter.join('x')}x${c.inChannels}x${c.outChannels}, ` +
  `strides ${c.strides.join(',')}, dilations ${c.dilations.join(',')}, pad ${JSON.stringify(c.pad)}`;

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((c) => [label(c), c] as const))('matches the cpu backend for %s', async (_name, c) => {
    const [outHeight, outWidth] = outputSizeOf(c);
    const x = { shape: [c.batch, ...c.size, c.inChannels], values: seededValues(c.batch * c.size[0] * c.size[1] * c.inChannels, 1) };
    const dy = { shape: [c.batch, outHeight, outWidth, c.outChannels], values: seededValues(c.batch * outHeight * outWidth * c.outChannels, 2) };
    const filterShape = [...c.filter, c.inChannels, c.outChannels];

    const actual = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, {
      strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape, dilations: c.dilations,
    });
    // cpu's kernel has no dilations: the dilated gradient is the plain gradient of the filter
    // expanded with zeros between taps, read back at the taps.
    const [dh, dw] = c.dilations;
    const expandedShape = [(c.filter[0] - 1) * dh + 1, (c.filter[1] - 1) * dw + 1, c.inChannels, c.outChannels];
    const expanded = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, {
      strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: expandedShape,
    });
    const expected = new Float32Array(filterShape.reduce((a, b) => a * b, 1));
    const inner = c.inChannels * c.outChannels;
    for (let i = 0; i < c.filter[0]; i++) {
      for (let j = 0; j < c.filter[1]; j++) {
        const from = (i * dh * expandedShape[1]! + j * dw) * inner;
        expected.set(expanded.values.subarray(from, from + inner), (i * c.filter[1] + j) * inner);
      }
    }
    expect(actual.shape).toEqual(filterShape);
    expect(relativeError(actual.values, expected)).toBeLessThanOrEqual(1e-4);
  });

  it('matches the cpu backend for NCHW data', async () => {
    const x = { shape: [2, 3, 10, 9], values: seededValues(2 * 3 * 10 * 9, 3) };
    const dy = { shape: [2, 4, 4, 4], values: seededValues(2 * 4 * 4 * 4, 4) };
    const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 2, 3, 4] };
    const actual = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const expected = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
    expect(actual.shape).toEqual([3, 2, 3, 4]);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });

  it('gives the same conv2d filter and input gradients through tf.grads as the cpu backend', async () => {
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(seededValues(4 * 13 * 13 * 2, 5), [4, 13, 13, 2]);
      const w = tf.tensor4d(seededValues(3 * 3 * 2 * 5, 6), [3, 3, 2, 5]);
      const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
      const values = [await dx!.data(), await dw!.data()] as Float32Array[];
      tf.dispose([x, w, dx!, dw!]);
      return values;
    };
    const [wasmDx, wasmDw] = await gradients('wasm');
    const [cpuDx, cpuDw] = await gradients('cpu');
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(wasmDw!, cpuDw!)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors and frees every intermediate on the wasm heap', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 7), [2, 9, 9, 3]);
    const dy = tf.tensor4d(seededValues(2 * 4 * 4 * 2, 8), [2, 4, 4, 2]);
    const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 2] } as unknown as tf.NamedAttrMap;
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    const dw = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs);
    dw.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    tf.dispose([x, dy]);
  });
});

function outputSizeOf(c: Case): [number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, ...c.size, c.inChannels], [...c.filter, c.inChannels, c.outChannels], c.strides, c.dilations, c.pad,
  );
  return [info.outHeight, info.outWidth];
}
