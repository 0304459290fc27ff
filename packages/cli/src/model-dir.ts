import type * as tfl from '@tensorflow/tfjs-layers';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { cliError } from './cli-error.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The folder holding model.json for `dir`: `dir` itself, or the `model/` folder of a run
 * directory written by `apb train`, so users can pass either.
 */
export async function modelFolder(dir: string): Promise<string> {
  for (const candidate of [dir, join(dir, 'model')]) {
    if (await exists(join(candidate, 'model.json'))) return candidate;
  }
  throw cliError('MODEL_NOT_FOUND', `No model.json in ${dir} or ${join(dir, 'model')}.`, 'Pass the --out folder of apb train (or a folder holding model.json and weights.bin).');
}

/** Loads the model of a run folder (or a model folder) with `@apb/layers`' `loadModel`. */
export async function loadModelDir(dir: string): Promise<tfl.LayersModel> {
  const folder = await modelFolder(dir);
  const { loadModel } = await import('@apb/layers');
  return loadModel(folder);
}
