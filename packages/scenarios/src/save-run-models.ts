import { writeDirectoryAtomic } from '@apb/core';
import { saveModel } from '@apb/layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { foldModel, type ModelConfig } from './internal/model-factory.js';

/** Saves a trained model as `model/` (with its APB layers) and `model-folded/` (plain tfjs layers), each atomically. */
export async function saveRunModels(outDir: string, model: tfl.LayersModel, config: ModelConfig): Promise<void> {
  await writeDirectoryAtomic(join(outDir, 'model'), (directory) => saveModel(model, directory));
  // A classical LeNet is already made of plain layers: its folded form is the model itself.
  const folded = foldModel(model, config);
  try {
    await writeDirectoryAtomic(join(outDir, 'model-folded'), (directory) => saveModel(folded ?? model, directory));
  } finally {
    folded?.dispose();
  }
}
