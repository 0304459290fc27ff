import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { prepareBackends, relativeError, runOn, seededValues } from '../testing-internal/parity.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  batch: number;
  size: [number, number];
  channels: number;
  multiplier: number;
  filter: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

const explicit: Pad = [
  [0, 0],
  [2, 1],
  [0, 1],
  [0, 0],
];

const cases: Case[] = [];
for (const pad of ['valid', 'same', explicit] as Pad[]) {
  for (const strides of [[1, 1], [2, 2], [2, 1]] as [number, number][]) {
    cases.push({ batch: 2, size: [9, 9], channels: 3, multiplier: 1, filter: [3, 3], strides, dilations: [1, 1], pad });
    cases.push({ batch: 3, size: [10, 8], channels: 2, multiplier: 3, filter: [2, 4], strides, dilations: [1, 1], pad });
  }
  for (const strides of [[1, 1], [2, 2]] as [number, number][]) {
    cases.push({ batch: 2, size: [11, 12], channels: 2, multiplier: 2, filter: [3, 2], strides, dilations: [2, 3], pad });
  }
}

const label = (c: Case) =>
  `x ${c.batch}x${c.size.join('x')}x${c.channels}, filter ${c.filter.join('x')}x${c.channels}x${c.multiplier}, ` +
  `strides ${c.strides.join(',')}, dilations ${c.dilations.join(',')}, pad ${JSON.stringify(c.pad)}`;

function shapes(c: Case) {
  const filterShape: [number, number, number, number] = [...c.filter, c.channels, c.multiplier];
  const inputShape: [number, number, number, number] = [c.batch, ...c.size, c.channels];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, c.strides, c.dilations, c.pad, undefined, true);
  const dyShape = [c.batch, info.outHeight, info.outWidth, c.channels * c.multiplier];
  return { filterShape, inputShape, dyShape };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The cpu kernels compute padding for dilations but then ignore them, so dilated cases are checked
 * against the undilated kernel with the filter spaced out by zeros: `spacedShape` and the index of
 * every real tap in it.
 */
function spacing(filterShape: number[], dilations: [number, number]) {
  const [kh, kw, channels, multiplier] = filterShape as [number, number, number, number];
  const spacedShape = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1, channels, multiplier];
  const inner = channels * multiplier;
  const taps: [from: number, to: number][] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) taps.push([(i * kw + j) * inner, (i * dilations[0] * spacedShape[1]! + j * dilations[1]) * inner]);
  }
  return { spacedShape, inner, taps };
}

describe('depthwise convolution backprop kernels on wasm', () => {
  beforeAll(prepareBackends);

  it.each(cases.map((c) => [label(c), c] as const))('DepthwiseConv2dNativeBackpropFilter matches the cpu backend for %s', async (_name, c) => {
    const { filterShape, inputShape, dyShape } = shapes(c);
    const inputs = {
      x: { shape: inputShape, values: seededValues(size(inputShape), 11) },
      dy: { shape: dyShape, values: seededValues(size(dyShape), 12) },
    };
    const actual = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape });
    const { spacedShape, inner, taps } = spacing(filterShape, c.dilations);
    const spacedGrad = await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, { strides: c.strides, dilations: [1, 1], pad: c.pad, filterShape: spacedShape });
    const expected = new Float32Array(size(filterShape));
    for (const [from, to] of taps) expected.set(spacedGrad.values.subarray(to, to + inner), from);
    expect(actual.shape).toEqual(filterShape);
    expect(relativeError(actual.values, expected)).toBeLessThanOrEqual(1e-4);
  });

  it.each(cases.map((c) => [label(c), c] as const))('DepthwiseConv2dNativeBackpropInput matches the cpu backend for %s', async (_name, c) => {
    const { filterShape, inputShape, dyShape } = shapes(c);
    const inputs = {
      dy: { shape: dyShape, values: seededValues(size(dyShape), 13) },
      filter: { shape: filterShape, values: seededValues(size(filterShape), 14) },
    };
    const actual = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape });
    const { spacedShape, inner, taps } = spacing(filterShape, c.dilations);
    const spaced = new Float32Array(size(spacedShape));
    for (const [from, to] of taps) spaced.set(inputs.filter.values.subarray(from, from + inner), to);
    const expected = await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy: inputs.dy, filter: { shape: spacedShape, values: spaced } }, {
      strides: c.strides, dilations: [1, 1], pad: c.pad, inputShape,
    });
    expect(actual.shape).toEqual(inputShape);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });

  it('gives the same depthwiseConv2d gradients through tf.grads as the cpu backend', async () => {
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(seededValues(3 * 12 * 12 * 4, 15), [3, 12, 12, 4]);
      const w = tf.tensor4d(seededValues(3 * 3 * 4 * 2, 16), [3, 3, 4, 2]);
      const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
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
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 17), [2, 9, 9, 3]);
    const dy = tf.tensor4d(seededValues(2 * 4 * 4 * 6, 18), [2, 4, 4, 6]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 2, 19), [3, 3, 3, 2]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    const common: tf.NamedAttrMap = { strides: [2, 2], dilations: [1, 1], pad: 'valid' };
    const dw = tf.engine().runKernel<tf.Tensor>('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape: [3, 3, 3, 2] });
    const dx = tf.engine().runKernel<tf.Tensor>('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...common, inputShape: [2, 9, 9, 3] });
    tf.dispose([dw, dx]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    tf.dispose([x, dy, w]);
  });
});
