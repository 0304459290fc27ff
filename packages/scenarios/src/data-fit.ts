import { ApbError } from '@apb/core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** What {@link checkDataFitsModel} needs to know of a data set split. */
export interface DataShape {
  name: string;
  rows: number;
  cols: number;
  /** Values per pixel (absent: 1). */
  channels?: number;
  labels: Uint8Array;
  /** Class names the data set declares (custom data: classes.txt, else one per label up to the largest). */
  classNames?: readonly string[];
  /** Where the labels came from, so the error can name the file. */
  files?: { labels: { path: string } };
}

/** The image size `[rows, cols, channels]` and the number of classes a model takes and predicts. */
export function modelDataShape(model: tfl.LayersModel): { rows: number | null; cols: number | null; channels: number | null; classes: number | null } {
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  return { rows: input[1] ?? null, cols: input[2] ?? null, channels: input[3] ?? null, classes: output[output.length - 1] ?? null };
}

/**
 * Refuses data a model cannot be trained or evaluated on, before any work: images of another size,
 * a label the model has no output for, or a data set with more classes than the model. Without
 * this, tfjs either fails deep inside with a shape error or, for labels, silently one-hot encodes
 * an out-of-range label as all zeros. Throws an `ApbError` (`SHAPE_MISMATCH` or `CLASS_MISMATCH`)
 * whose one-line message names the data set (and the labels file when known).
 */
export function checkDataFitsModel(model: tfl.LayersModel, data: DataShape, modelName = 'the model'): void {
  const shape = modelDataShape(model);
  if ((shape.rows !== null && shape.rows !== data.rows) || (shape.cols !== null && shape.cols !== data.cols)) {
    throw new ApbError(`Data set ${data.name} has ${data.rows}x${data.cols} images but ${modelName} takes ${shape.rows}x${shape.cols}.`, {
      code: 'SHAPE_MISMATCH',
      suggestion: `Use images of ${shape.rows}x${shape.cols} pixels, or a model trained on this data set.`,
    });
  }
  const channels = data.channels ?? 1;
  if (shape.channels !== null && shape.channels !== channels) {
    throw new ApbError(`Data set ${data.name} has ${channels}-channel images but ${modelName} takes ${shape.channels} channels.`, {
      code: 'SHAPE_MISMATCH',
      suggestion: `Use a model registered for ${channels}-channel images (registerModel), or a data set of ${shape.channels}-channel images.`,
    });
  }
  if (shape.classes === null) return;
  let largest = -1;
  for (const label of data.labels) if (label > largest) largest = label;
  const where = data.files?.labels.path ?? `data set ${data.name}`;
  if (largest >= shape.classes) {
    throw new ApbError(`${where}: label ${largest} is out of range for ${modelName}, which has ${shape.classes} classes (0..${shape.classes - 1}).`, {
      code: 'CLASS_MISMATCH',
      suggestion: `Use labels 0..${shape.classes - 1}, or a model with as many classes as the data set.`,
    });
  }
  const declared = data.classNames?.length ?? 0;
  if (declared > shape.classes) {
    throw new ApbError(`Data set ${data.name} has ${declared} classes but ${modelName} has ${shape.classes}.`, {
      code: 'CLASS_MISMATCH',
      suggestion: 'Evaluate the model on the data set it was trained for, or train a model on this one.',
    });
  }
}
