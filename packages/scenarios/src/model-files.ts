import { ApbError } from '@apb/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * Loads the weights saved by `@apb/layers`' `saveModel` into a model of the same architecture (built
 * from the same options). Layer names differ between models built in one process, so weights are
 * matched by position and checked by shape.
 */
export async function readWeightsInto(model: tfl.LayersModel, directory: string): Promise<void> {
  const modelPath = join(directory, MODEL_JSON);
  let manifest: { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  let bytes: Uint8Array;
  try {
    manifest = JSON.parse(await readFile(modelPath, 'utf8'));
    bytes = await readFile(join(directory, WEIGHTS_BIN));
  } catch (error) {
    throw new ApbError(`Cannot read the model in ${directory}: ${(error as Error).message}.`, {
      code: 'MODEL_NOT_FOUND',
      suggestion: 'Point at a directory written by apb train (it holds model.json and weights.bin).',
      cause: error,
    });
  }
  const specs = manifest.weightsManifest.flatMap((group) => group.weights);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, specs);
  const values = specs.map((spec) => named[spec.name]!);
  const expected = model.weights;
  try {
    if (values.length !== expected.length || values.some((value, i) => !tf.util.arraysEqual(value.shape, expected[i]!.shape as number[]))) {
      throw new ApbError(`The model in ${modelPath} does not match the configured architecture.`, {
        code: 'MODEL_MISMATCH',
        suggestion: 'Use the same model options (model, apb, memories) as the run that saved it.',
      });
    }
    model.setWeights(values);
  } finally {
    tf.dispose(values);
  }
}

/** Whether a run folder holds its saved model (`model/model.json` and `model/weights.bin`). */
export async function hasSavedModel(runDirectory: string): Promise<boolean> {
  try {
    await Promise.all([access(join(runDirectory, 'model', MODEL_JSON)), access(join(runDirectory, 'model', WEIGHTS_BIN))]);
    return true;
  } catch {
    return false;
  }
}
