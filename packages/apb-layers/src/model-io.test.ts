import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { isApbError } from '@apb/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApbSpec } from './apb-options.js';
import { DenseApb, denseApb } from './dense-apb.js';
import { loadModel, saveModel } from './model-io.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'apb-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function movedModel(apb: ApbSpec): tfl.Sequential {
  const model = tfl.sequential();
  model.add(denseApb({ units: 5, inputShape: [4], activation: 'relu', apb, eps: 0.1, direction: 'descent', mode: 'reset', clip: 0.5, seed: 1, name: 'fc1' }));
  model.add(tfl.layers.dense({ units: 3, name: 'out' }));
  const x = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
  tf.train.sgd(0.1).minimize(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)));
  tf.dispose(x);
  return model;
}

const weightsOf = (model: tfl.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));
const apbOptions = (layer: DenseApb): unknown => [layer.apb, layer.eps, layer.direction, layer.mode, layer.clip, layer.activation];

describe('saveModel and loadModel', () => {
  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 7 }] as ApbSpec[])('round-trip an unfolded APB model through the file system (%j)', async (apb) => {
    const model = movedModel(apb);
    const target = join(dir, `unfolded-${apb.kind}`);
    await saveModel(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(target);
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    const layer = loaded.getLayer('fc1');
    expect(layer).toBeInstanceOf(DenseApb);
    expect(apbOptions(layer as DenseApb)).toEqual(apbOptions(model.getLayer('fc1') as DenseApb));
    expect(loaded.nonTrainableWeights.length).toBe(1);
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
    expect((loaded.predict(x) as tf.Tensor).arraySync()).toEqual((model.predict(x) as tf.Tensor).arraySync());
    tf.dispose(x);
  });

  it('round-trips through memory with tfjs io handlers', async () => {
    const model = movedModel({ kind: 'multimodal', memories: 3 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
      }),
    );
    if (artifacts === undefined) {
      throw new Error('nothing saved');
    }
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
  });

  it('replaces an existing save without leaving temporary files', async () => {
    const target = join(dir, 'replace');
    await saveModel(movedModel({ kind: 'naive' }), target);
    const second = movedModel({ kind: 'multimodal', memories: 2 });
    await saveModel(second, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(weightsOf(await loadModel(target))).toEqual(weightsOf(second));
  });

  it('reports a missing directory as a one-line ApbError naming the file', async () => {
    const missing = join(dir, 'does-not-exist');
    const error: unknown = await loadModel(missing).catch((caught: unknown) => caught);
    expect(isApbError(error)).toBe(true);
    expect((error as Error).message).toContain(join(missing, 'model.json'));
    expect((error as { code: string }).code).toBe('MODEL_NOT_FOUND');
    expect((error as Error).message).not.toContain('\n');
  });

  it('reports a file that is not a model as MODEL_INVALID', async () => {
    const broken = join(dir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'model.json'), '{"hello": 1}');
    const error: unknown = await loadModel(broken).catch((caught: unknown) => caught);
    expect(isApbError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('MODEL_INVALID');
    await writeFile(join(broken, 'model.json'), 'not json');
    const second: unknown = await loadModel(broken).catch((caught: unknown) => caught);
    expect((second as { code: string }).code).toBe('MODEL_INVALID');
    expect(await readFile(join(broken, 'model.json'), 'utf8')).toBe('not json');
  });
});
