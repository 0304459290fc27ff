import { initBackend } from '@apb/backend';
import { isApbError } from '@apb/core';
import { lenet } from '@apb/layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataFitsModel, modelDataShape, type DataShape } from './data-fit.js';

let model: tfl.LayersModel;
let fiveClasses: tfl.LayersModel;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  model = lenet({ apb: null, seed: 1 });
  fiveClasses = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 5 })] });
});
afterAll(() => {
  model.dispose();
  fiveClasses.dispose();
});

const data = (labels: number[], extra: Partial<DataShape> = {}): DataShape => ({ name: 'digits', rows: 28, cols: 28, labels: Uint8Array.from(labels), ...extra });

function codeAndMessage(run: () => void): [string | undefined, string] {
  try {
    run();
  } catch (error) {
    return [isApbError(error) ? error.code : undefined, (error as Error).message];
  }
  return [undefined, ''];
}

describe('checkDataFitsModel', () => {
  it('reads the image size, channels and class count of a LeNet', () => {
    expect(modelDataShape(model)).toEqual({ rows: 28, cols: 28, channels: 1, classes: 10 });
  });

  it('accepts data whose labels the model has outputs for', () => {
    expect(() => checkDataFitsModel(model, data([0, 9, 3], { classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }))).not.toThrow();
    expect(() => checkDataFitsModel(fiveClasses, data([0, 4]))).not.toThrow();
  });

  it('refuses a label beyond the last class, naming the labels file', () => {
    expect(codeAndMessage(() => checkDataFitsModel(model, data([1, 42, 3], { files: { labels: { path: '/d/train-labels-idx1-ubyte' } } })))).toEqual([
      'CLASS_MISMATCH',
      '/d/train-labels-idx1-ubyte: label 42 is out of range for the model, which has 10 classes (0..9).',
    ]);
  });

  it('refuses a data set with more classes than the model, and images of another size', () => {
    const mnistLike = data([0, 1, 2, 3], { name: 'mnist', classNames: Array.from({ length: 10 }, (_, i) => String(i)) });
    expect(codeAndMessage(() => checkDataFitsModel(fiveClasses, mnistLike, 'model runs/five'))).toEqual(['CLASS_MISMATCH', 'Data set mnist has 10 classes but model runs/five has 5.']);
    expect(codeAndMessage(() => checkDataFitsModel(model, data([0], { rows: 32, cols: 32 })))).toEqual(['SHAPE_MISMATCH', 'Data set digits has 32x32 images but the model takes 28x28.']);
  });
});
