import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers calls chained tensor methods (x.argMax()); the union package @tensorflow/tfjs registers them, core alone does not.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import * as tfl from '@tensorflow/tfjs-layers';

import type { LogitsFn } from './attacks.js';

/** A loaded folded model and what the playground needs to feed it. */
export interface LoadedModel {
  model: tfl.LayersModel;
  /** Input shape without the batch dimension, e.g. [28, 28, 1]. */
  inputShape: number[];
  logits: LogitsFn;
}

const cache = new Map<string, Promise<LoadedModel>>();

/**
 * Loads a folded model (plain tfjs layers: model.json + weights.bin) from the server, once per URL.
 * The model outputs logits, as apb's LeNet does; it is only ever called in inference mode.
 */
export function loadFoldedModel(url: string): Promise<LoadedModel> {
  let loaded = cache.get(url);
  if (loaded === undefined) {
    loaded = tfl.loadLayersModel(url).then((model) => {
      const shape = model.inputs[0]?.shape ?? [];
      return { model, inputShape: shape.slice(1).map((size) => size ?? 1), logits: (x: tf.Tensor) => model.apply(x, { training: false }) as tf.Tensor2D };
    });
    cache.set(url, loaded);
    loaded.catch(() => cache.delete(url));
  }
  return loaded;
}

/** One image (grey values 0..255) as a batch of one in [0, 1], shaped for the model; throws when the sizes differ. */
export function imageTensor(pixels: ArrayLike<number>, inputShape: number[]): tf.Tensor {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size !== pixels.length) throw new Error(`the model takes ${inputShape.join('x')} inputs (${size} values), the image has ${pixels.length} pixels`);
  return tf.tidy(() => tf.div(tf.tensor(Array.from(pixels), [1, ...inputShape], 'float32'), 255));
}
