import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { cliError } from './cli-error.js';

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Where the model.json of `dir` is: `dir` itself, or the `model/` folder of a run directory
 * written by `apb train`.
 */
export async function modelJsonPath(dir: string): Promise<string> {
  for (const candidate of [join(dir, 'model.json'), join(dir, 'model', 'model.json')]) {
    if (await exists(candidate)) return candidate;
  }
  throw cliError('MODEL_NOT_FOUND', `No model.json in ${dir} or ${join(dir, 'model')}.`, 'Pass the --out folder of apb train (or a folder holding model.json and its weights).');
}

/**
 * Loads a TensorFlow.js layers model saved on disk (model.json plus weight files) without a
 * network or file IOHandler: the files are read here and handed to `tf.io.fromMemory`.
 * `@apb/layers` is imported first so its custom APB layer class is registered.
 */
export async function loadModelDir(dir: string): Promise<tfl.LayersModel> {
  await import('@apb/layers');
  const path = await modelJsonPath(dir);
  const folder = join(path, '..');
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as ModelJson;
  } catch (error) {
    throw cliError('BAD_MODEL', `${path} is not valid JSON.`, 'Re-run apb train to write the model again.', error);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const parts: Uint8Array[] = [];
  for (const file of json.weightsManifest.flatMap((group) => group.paths)) {
    try {
      parts.push(await readFile(join(folder, file)));
    } catch (error) {
      throw cliError('BAD_MODEL', `Cannot read weights ${join(folder, file)} listed in ${path}.`, 'Re-run apb train to write the model again.', error);
    }
  }
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: bytes.buffer }));
  } catch (error) {
    throw cliError('BAD_MODEL', `Cannot build the model in ${path}: ${(error as Error).message.split('\n')[0] ?? ''}.`, 'Check that it was written by apb train with this version of apb.', error);
  }
}
