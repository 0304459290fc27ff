import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ApbError, isApbError, writeFileAtomic } from '@apb/core';

/** File names `saveModel` writes, the same layout as tfjs' own `file://` handler. */
export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin' } as const;

/**
 * Saves a model to `dir` as `model.json` + `weights.bin` (tfjs layers-model format, weights
 * manifest pointing at `weights.bin`), each written to a temporary file and renamed, weights
 * first, so a reader never sees a half-written file. Works for APB models and folded ones; a
 * folded model's directory loads in any tfjs program, see {@link loadModel}.
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ApbError(`saveModel: cannot create directory '${dir}'`, { code: 'SAVE_FAILED', suggestion: 'Choose a writable directory.', cause: error });
  }
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) {
        modelJson.trainingConfig = artifacts.trainingConfig;
      }
      await writeFileAtomic(join(dir, MODEL_FILES.weights), new Uint8Array(weightData));
      await writeFileAtomic(join(dir, MODEL_FILES.topology), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Reads `dir/model.json` and its weight files into tfjs model artifacts (for `tf.io.fromMemory`). */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = join(dir, MODEL_FILES.topology);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ApbError(`loadModel: ${missing ? 'no' : 'unreadable'} model file '${jsonPath}'`, {
      code: missing ? 'MODEL_NOT_FOUND' : 'MODEL_INVALID',
      suggestion: missing ? 'Pass the directory saveModel wrote (it holds model.json and weights.bin).' : 'Save the model again with saveModel.',
      cause: error,
    });
  }
  if (typeof modelJson !== 'object' || modelJson === null || modelJson.modelTopology == null || !Array.isArray(modelJson.weightsManifest)) {
    throw new ApbError(`loadModel: '${jsonPath}' is not a tfjs layers model (no modelTopology or weightsManifest)`, {
      code: 'MODEL_INVALID',
      suggestion: 'Save the model again with saveModel.',
    });
  }
  const parts: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const path of group.paths) {
      const weightPath = join(dir, path);
      try {
        const bytes = await readFile(weightPath);
        parts.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      } catch (error) {
        throw new ApbError(`loadModel: cannot read weight file '${weightPath}'`, { code: 'MODEL_INVALID', suggestion: 'Save the model again with saveModel.', cause: error });
      }
    }
  }
  return tf.io.getModelArtifactsForJSONSync(modelJson, modelJson.weightsManifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(parts));
}

/**
 * Loads a model saved by {@link saveModel}. APB layers deserialize because importing this package
 * registers them; a folded model needs nothing of ours (plain `tf.loadLayersModel(tf.io.fromMemory(...))`).
 */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    if (isApbError(error)) {
      throw error;
    }
    throw new ApbError(`loadModel: '${join(dir, MODEL_FILES.topology)}' could not be turned into a model: ${(error as Error).message.split('\n')[0] ?? ''}`, {
      code: 'MODEL_INVALID',
      suggestion: "If it has APB layers, import '@apb/layers' before loading; otherwise save it again.",
      cause: error,
    });
  }
}
