import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches } from '../batches.js';
import { toTensor4D } from './to-tensor4d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toTensor4D', () => {
  it('gives a float32 [n, rows, cols, 1] tensor of the pixels divided by 255', () => {
    const images = new Uint8Array([0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4]);
    const tensor = toTensor4D({ count: 3, rows: 2, cols: 2, images });
    expect(tensor.shape).toEqual([3, 2, 2, 1]);
    expect(tensor.dtype).toBe('float32');
    expect([...tensor.dataSync()]).toEqual([...images].map((x) => Math.fround(x / 255)));
    tensor.dispose();
  });

  it('accepts a batch from the batch iterator', () => {
    const dataset = { count: 5, rows: 1, cols: 2, images: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), labels: new Uint8Array(5) };
    const [batch] = [...batches(dataset, { batchSize: 2, seed: 1, shuffle: false })];
    const tensor = toTensor4D(batch!);
    expect(tensor.shape).toEqual([2, 1, 2, 1]);
    expect([...tensor.dataSync()]).toEqual([1, 2, 3, 4].map((x) => Math.fround(x / 255)));
    tensor.dispose();
  });

  it('leaves no tensor behind beyond the one it returns', () => {
    const before = tf.memory().numTensors;
    const tensor = toTensor4D({ count: 1, rows: 2, cols: 2, images: new Uint8Array(4) });
    expect(tf.memory().numTensors).toBe(before + 1);
    tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
