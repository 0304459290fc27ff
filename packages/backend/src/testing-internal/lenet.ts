import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { seededValues } from './parity.js';

/** The paper's LeNet (logits out), built from plain tfjs-layers with seeded initial weights. */
export function buildLenet(seed: number): tfl.LayersModel {
  let next = seed;
  const init = () => tfl.initializers.glorotUniform({ seed: next++ });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.dense({ units: 10, kernelInitializer: init() }),
    ],
  });
}

/**
 * A learnable synthetic set: each class is a fixed random 28x28 pattern, each example its class
 * pattern plus noise, in [0, 1]. Returns plain arrays so each backend makes its own tensors.
 */
export function syntheticSet(count: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const pixels = 28 * 28;
  const patterns = seededValues(10 * pixels, seed);
  const noise = seededValues(count * pixels, seed + 1);
  const images = new Float32Array(count * pixels);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    for (let p = 0; p < pixels; p++) {
      const value = 0.5 + 0.35 * (patterns[label * pixels + p] ?? 0) + 0.15 * (noise[i * pixels + p] ?? 0);
      images[i * pixels + p] = Math.min(1, Math.max(0, value));
    }
  }
  return { images, labels };
}

/** Mean softmax cross-entropy of `model` on a batch, the model called in training mode. */
export function lossOf(model: tfl.LayersModel, images: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const logits = model.apply(images, { training: true }) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(tf.oneHot(labels, 10), logits);
}
