import { initBackend } from '@apb/backend';
import { registerDataset, unregisterDataset, type Dataset, type DescriptorLoadOptions } from '@apb/datasets';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataFitsModel, registerModel, resolveTrainConfig, trainRun, unregisterModel } from './index.js';

const ROWS = 6;
const COLS = 5;
const CHANNELS = 3;
const loads: { split: string; options: DescriptorLoadOptions }[] = [];

/** Colour images whose red channel says the class: a data set no IDX file could hold (3 channels, not square). */
async function loadColour(split: 'train' | 'test', options: DescriptorLoadOptions): Promise<Dataset> {
  loads.push({ split, options });
  const count = split === 'train' ? 40 : 20;
  const size = ROWS * COLS * CHANNELS;
  const images = new Uint8Array(count * size);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
  for (let i = 0; i < count; i += 1) {
    for (let p = 0; p < ROWS * COLS; p += 1) {
      images[i * size + p * CHANNELS] = labels[i] === 1 ? 230 : 20;
      images[i * size + p * CHANNELS + 1] = (p * 31 + i) % 256;
      images[i * size + p * CHANNELS + 2] = 128;
    }
  }
  const file = { path: `memory:${split}`, source: 'custom', bytes: images.length, sha256: '', contentSha256: '', verifiedBy: 'consistency' } as const;
  return { name: 'colour', split, count, rows: ROWS, cols: COLS, channels: CHANNELS, images, labels, classNames: ['dark', 'red'], files: { images: file, labels: file } };
}

let root: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-dataset-descriptor-'));
  registerDataset({ name: 'colour', title: 'red or dark, for this test', rows: ROWS, cols: COLS, channels: CHANNELS, classNames: ['dark', 'red'], load: loadColour });
  registerModel({
    name: 'colour-net',
    description: 'flatten and one dense layer on 6x5x3 images',
    supportsApb: false,
    build: ({ seed }) => {
      const model = tfl.sequential();
      model.add(tfl.layers.flatten({ inputShape: [ROWS, COLS, CHANNELS] }));
      model.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
      return model;
    },
  });
});
afterAll(async () => {
  unregisterDataset('colour');
  unregisterModel('colour-net');
  await rm(root, { recursive: true, force: true });
});

describe('dataset descriptors', () => {
  it('train and evaluate a colour data set added through registerDataset, with its shape and channels', async () => {
    const record = await trainRun(
      { dataset: 'colour', model: 'colour-net', backend: 'wasm', epochs: 1, batchSize: 40, seed: 1, testLimit: 10, evaluation: { attacks: ['fgsm'], diagnostics: false } },
      { outDir: join(root, 'run') },
    );
    expect(record.status).toBe('complete');
    expect(record.id).toBe('colour-clean-colour-net-classical-s1');
    expect(record.cost.backwardPasses).toBe(1);
    expect(record.evaluation?.clean.n).toBe(10);
    expect(record.evaluation?.attacks.map((attack) => [attack.attack, attack.n])).toEqual([['fgsm', 10]]);
    expect(loads.map((load) => [load.split, load.options.limit])).toEqual([['train', undefined], ['test', 10]]);
  });

  it('refuses a LeNet on the colour data set before training, naming the image size', async () => {
    await expect(trainRun({ dataset: 'colour', backend: 'wasm', epochs: 1 }, { outDir: join(root, 'lenet') })).rejects.toThrow(/colour has 6x5 images but/);
  });

  it('refuses a model that takes another number of channels', () => {
    const grey = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [ROWS, COLS, 1] }), tfl.layers.dense({ units: 2 })] });
    const data = { name: 'colour', rows: ROWS, cols: COLS, channels: CHANNELS, labels: Uint8Array.of(0, 1) };
    expect(() => checkDataFitsModel(grey, data)).toThrow(/colour has 3-channel images but the model takes 1 channels/);
    grey.dispose();
  });

  it('accepts a registered name in configurations and still refuses an unknown one', () => {
    expect(resolveTrainConfig({ dataset: 'colour' }).dataset).toBe('colour');
    expect(() => resolveTrainConfig({ dataset: 'cifar' })).toThrow(/"dataset": "cifar" is not a registered data set/);
  });
});
