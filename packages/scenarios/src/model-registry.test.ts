import { initBackend } from '@apb/backend';
import { isApbError } from '@apb/core';
import { denseApb, loadModel } from '@apb/layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModel, registeredModelNames, resolveTrainConfig, runIdFor, trainRun, unregisterModel, type ModelBuildOptions, type TrainConfigInput } from './index.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';

let root: string;
let datasetDir: string;
const built: ModelBuildOptions[] = [];

/** A one-layer softmax regression: the smallest model the training loop and the APB accept. */
function tinyModel(options: ModelBuildOptions): tfl.LayersModel {
  built.push(options);
  const { apb, seed, ...update } = options;
  const model = tfl.sequential({ name: 'tiny' });
  model.add(tfl.layers.flatten({ name: 'flatten', inputShape: [28, 28, 1] }));
  model.add(
    apb === null
      ? tfl.layers.dense({ name: 'fc', units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed }) })
      : denseApb({ name: 'fc', units: 10, apb, ...update, seed }),
  );
  return model;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'apb-model-registry-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 100, test: 40 });
  registerModel({ name: 'tiny', description: 'softmax regression, for this test', build: tinyModel });
});
afterAll(async () => {
  unregisterModel('tiny');
  await rm(root, { recursive: true, force: true });
});

describe('the model registry', () => {
  it('trains a model added through registerModel for one step, with and without an APB', async () => {
    const common: TrainConfigInput = { dataset: 'synthetic', datasetDir, backend: 'wasm', model: 'tiny', epochs: 1, batchSize: 100, seed: 2, evaluation: { attacks: ['fgsm'], diagnostics: false } };
    const classical = await trainRun(common, { outDir: join(root, 'classical') });
    expect(classical.status).toBe('complete');
    expect(classical.id).toBe('synthetic-clean-tiny-classical-s2');
    expect(classical.cost.backwardPasses).toBe(1);
    expect(built.at(-1)).toEqual({ apb: null, seed: 2 });

    const apb = await trainRun({ ...common, apb: 'naive', apbEps: 0.02 }, { outDir: join(root, 'apb') });
    expect(apb.status).toBe('complete');
    expect(apb.id).toBe('synthetic-clean-tiny-apb-naive-eps0.02-s2');
    expect(apb.config.model).toBe('tiny');
    expect(built.at(-1)).toMatchObject({ apb: { kind: 'naive' }, eps: 0.02, seed: 2 });
    expect(apb.evaluation?.attacks.map((attack) => attack.attack)).toEqual(['fgsm']);
    // The saved model is the registered architecture, with the APB layer it was built with.
    const saved = await loadModel(join(root, 'apb', 'model'));
    expect(saved.layers.map((layer) => layer.getClassName())).toEqual(['Flatten', 'DenseApb']);
    saved.dispose();
  });

  it('lists the built-in LeNet first and refuses a second model of the same name', () => {
    expect(registeredModelNames()[0]).toBe('lenet');
    expect(registeredModelNames()).toContain('tiny');
    expect(() => registerModel({ name: 'tiny', description: 'again', build: tinyModel })).toThrow(/already registered/);
    expect(() => registerModel({ name: 'lenet-apb', description: 'old name', build: tinyModel })).toThrow(/not a usable model name/);
  });

  it('refuses an APB for a model registered without one, and a model nobody registered', () => {
    registerModel({ name: 'tiny-plain', description: 'no APB', build: tinyModel, supportsApb: false });
    try {
      expect(runIdFor(resolveTrainConfig({ model: 'tiny-plain' }))).toBe('mnist-clean-tiny-plain-classical-s1');
      expect(() => resolveTrainConfig({ model: 'tiny-plain', apb: 'naive' })).toThrow(/"apb": model "tiny-plain" has no APB/);
    } finally {
      unregisterModel('tiny-plain');
    }
    let caught: unknown;
    try {
      resolveTrainConfig({ model: 'tiny-plain' });
    } catch (error) {
      caught = error;
    }
    expect(isApbError(caught) && caught.code).toBe('BAD_CONFIG');
  });
});
