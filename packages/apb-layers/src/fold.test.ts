import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApbMemoryStep, ApbSpec } from './apb-options.js';
import { DenseApb, denseApb } from './dense-apb.js';
import { foldApb } from './fold.js';
import { lenet } from './lenet.js';
import { saveModel } from './model-io.js';
import { parameterCount } from './parameter-count.js';
import { trainStep } from './train-step.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'apb-fold-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const maxAbsDifference = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Number.NaN);

/** A LeNet whose APBs have moved away from their initial values. */
function trainedLenet(apb: ApbSpec, memoryStep: ApbMemoryStep = 'budgeted'): tfl.Sequential {
  const model = lenet({ apb, eps: 0.05, seed: 4, memoryStep });
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 2);
  const labels = tf.tensor1d([3, 7], 'int32');
  // Two steps, so that W_ap (whose first gradient m^T G_sum is zero when m starts at 0) moves too.
  const optimizer = tf.train.sgd(0.01);
  trainStep(model, optimizer, x, labels);
  trainStep(model, optimizer, x, labels);
  tf.dispose([x, labels]);
  return model;
}

describe('foldApb', () => {
  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 625 }, { kind: 'multimodal', memories: 10_000 }] as ApbSpec[])(
    'gives a plain-tfjs LeNet with the same outputs within 1e-5 and fewer parameters (%j)',
    (apb) => {
      const model = trainedLenet(apb);
      const folded = foldApb(model);
      expect(folded.layers.some((layer) => layer instanceof DenseApb)).toBe(false);
      expect(JSON.stringify(folded.toJSON(undefined, false))).not.toMatch(/DenseApb|apb>/);
      const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 3);
      const expected = model.predict(x) as tf.Tensor;
      const actual = folded.predict(x) as tf.Tensor;
      expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
      const before = parameterCount(model);
      const after = parameterCount(folded);
      expect(after).toEqual({ trainable: 61706, nonTrainable: 0, total: 61706 });
      const h = apb.kind === 'multimodal' ? apb.memories : 0;
      // Folding removes m (h per layer) and W_ap (h x units per layer) and adds back one bias per unit.
      expect(before.total - after.total).toBe(apb.kind === 'naive' ? 0 : 3 * h + h * (120 + 84 + 10) - (120 + 84 + 10));
      tf.dispose([x, expected, actual]);
    },
  );

  it('folds a model trained with the fixed memory step to the same logits', () => {
    const model = trainedLenet({ kind: 'multimodal', memories: 625 }, 'fixed');
    const folded = foldApb(model);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 5);
    const expected = model.predict(x) as tf.Tensor;
    const actual = folded.predict(x) as tf.Tensor;
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
    tf.dispose([x, expected, actual]);
  });

  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 625 }] as ApbSpec[])(
    'gives attacks the same input gradient as the plain network with bias = delta, and moves nothing (%j)',
    (apb) => {
      const model = trainedLenet(apb);
      const folded = foldApb(model);
      const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 8);
      const labels = tf.oneHot(tf.tensor1d([1, 4, 9], 'int32'), 10);
      const inputGradient = (net: tfl.LayersModel): tf.Tensor => tf.grad((input: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, net.apply(input) as tf.Tensor))(x);
      const before = model.getWeights().map((w) => Array.from(w.dataSync()));
      const expected = inputGradient(folded);
      const actual = inputGradient(model);
      expect(tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0])).toBeGreaterThan(0);
      expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-6);
      expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
      tf.dispose([x, labels, expected, actual]);
    },
  );

  it('folds the current delta, so training the source afterwards does not change the folded copy', () => {
    const model = tfl.sequential();
    model.add(denseApb({ units: 3, inputShape: [4], apb: { kind: 'naive' }, eps: 0.5, seed: 1 }));
    const x = tf.ones([2, 4]);
    tf.train.sgd(0).minimize(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor));
    const folded = foldApb(model);
    const before = (folded.predict(x) as tf.Tensor).arraySync();
    tf.train.sgd(0).minimize(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor));
    expect((folded.predict(x) as tf.Tensor).arraySync()).toEqual(before);
    expect(folded.getLayer(model.layers[0]?.name ?? '').getWeights()[1]?.arraySync()).toEqual([0.5, 0.5, 0.5]);
    tf.dispose(x);
  });

  it('folds functional models too and leaks no tensors', () => {
    const input = tfl.input({ shape: [4] });
    const hidden = denseApb({ units: 5, activation: 'relu', apb: { kind: 'multimodal', memories: 6 }, seed: 1 }).apply(input) as tfl.SymbolicTensor;
    const output = tfl.layers.dense({ units: 2 }).apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
    const expected = model.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    const folded = foldApb(model);
    const created = folded.weights.length;
    expect(tf.memory().numTensors).toBe(before + created);
    const actual = folded.predict(x) as tf.Tensor;
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-6);
    expect(folded.layers.map((layer) => layer.getClassName())).toEqual(['InputLayer', 'Dense', 'Dense']);
    tf.dispose([x, expected, actual]);
  });

  it('saves a folded model that a plain tfjs program loads without importing this package', async () => {
    const model = trainedLenet({ kind: 'multimodal', memories: 625 });
    const folded = foldApb(model);
    const target = join(dir, 'folded');
    await saveModel(folded, target);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9);
    await writeFile(join(target, 'input.json'), JSON.stringify(x.arraySync()));
    const script = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import '@tensorflow/tfjs-backend-cpu';",
      "import * as tfl from '@tensorflow/tfjs-layers';",
      "import { readFile } from 'node:fs/promises';",
      'const dir = process.argv[1];',
      "const json = JSON.parse(await readFile(dir + '/model.json', 'utf8'));",
      "const bytes = await readFile(dir + '/' + json.weightsManifest[0].paths[0]);",
      "await tf.setBackend('cpu');",
      'const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }));',
      "const x = tf.tensor(JSON.parse(await readFile(dir + '/input.json', 'utf8')));",
      'process.stdout.write(JSON.stringify(model.predict(x).arraySync()));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, target], { cwd: process.cwd() });
    const loaded = tf.tensor(JSON.parse(stdout) as number[][]);
    const expected = model.predict(x) as tf.Tensor;
    expect(maxAbsDifference(loaded, expected)).toBeLessThan(1e-5);
    expect(await readFile(join(target, 'model.json'), 'utf8')).not.toMatch(/DenseApb/);
    tf.dispose([x, loaded, expected]);
  });
});
