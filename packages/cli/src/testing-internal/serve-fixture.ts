import '@tensorflow/tfjs-backend-cpu';
import { saveModel } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { fixtureRecord } from './fixtures.js';
import { writeSyntheticIdx } from './synthetic-idx.js';

/** What {@link writeServeFixture} laid out. */
export interface ServeFixture {
  /** The folder to serve. */
  root: string;
  /** The synthetic IDX folder the runs were "trained" on (outside `root`). */
  dataDir: string;
  /** Run keys: a folded linear model, a run without a folded model, a run whose data set is gone. */
  runs: { folded: string; unfolded: string; noData: string };
}

/**
 * A known linear classifier for the synthetic bars data (class k is a bright bar at row 2k + 4):
 * logit k is the mean of row 2k + 4 over its 20 bar columns' width. A clean image scores about 0.8
 * on its own class and 0.3 elsewhere; FGSM at eps 0.3 lowers its own row by 0.3 and raises every
 * other row by 0.42, so the prediction flips, while at eps 0.05 it holds.
 */
export function barsLinearModel(): tfl.LayersModel {
  const model = tfl.sequential({ name: 'bars_linear' });
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tfl.layers.dense({ units: 10, name: 'fc' }));
  const weights = new Float32Array(784 * 10);
  for (let k = 0; k < 10; k += 1) for (let c = 0; c < 28; c += 1) weights[((2 * k + 4) * 28 + c) * 10 + k] = 1 / 20;
  model.setWeights([tf.tensor2d(weights, [784, 10]), tf.zeros([10])]);
  return model;
}

async function writeRun(root: string, key: string, datasetDir: string, withModel: boolean): Promise<void> {
  const folder = join(root, key);
  await mkdir(folder, { recursive: true });
  const record = fixtureRecord({ dataset: 'mnist', scenario: 'clean', model: 'lenet', clean: 0.97, fgsm: { '0.3': 0.05 }, pgd: 0.01 });
  record.id = key;
  record.config = { ...record.config, dataset: 'bars', datasetDir };
  await writeFile(join(folder, 'run.json'), JSON.stringify(record, null, 2));
  if (withModel) {
    const model = barsLinearModel();
    await saveModel(model, join(folder, 'model-folded'));
    model.dispose();
  }
}

/** Writes a served folder with three runs over a synthetic IDX data set (50 test images) beside it. */
export async function writeServeFixture(base: string): Promise<ServeFixture> {
  // Other backends may be registered with a higher priority; the fixture needs no speed.
  await tf.setBackend('cpu');
  const root = join(base, 'results');
  const dataDir = await writeSyntheticIdx(join(base, 'bars'), { train: 10, test: 50 });
  const runs = { folded: 'linear', unfolded: 'unfolded', noData: 'no-data' };
  await writeRun(root, runs.folded, dataDir, true);
  await writeRun(root, runs.unfolded, dataDir, false);
  await writeRun(root, runs.noData, join(base, 'deleted-data'), true);
  return { root, dataDir, runs };
}
