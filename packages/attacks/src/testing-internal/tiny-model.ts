// Test fixtures: a small synthetic, separable image task and a small MLP trained on it in about
// a second on the cpu backend. Excluded from the build.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@apb/core';

/** Image side and class count of the synthetic task. */
export const SIDE = 6;
export const CLASSES = 3;

/** Uses the cpu backend, the numerical reference. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * `count` images of class `i % 3`: class k has rows 2k and 2k+1 bright (0.7..1.0) on a dark
 * background (0..0.3). A model must look at two rows to classify, so a small l-inf perturbation
 * can fool it, but not a tiny one.
 */
export function syntheticData(count: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const rng = createRng(seed);
  const images = new Float32Array(count * SIDE * SIDE);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES;
    labels[i] = label;
    for (let row = 0; row < SIDE; row++) {
      const bright = Math.floor(row / 2) === label;
      for (let col = 0; col < SIDE; col++) {
        images[i * SIDE * SIDE + row * SIDE + col] = bright ? 0.7 + 0.3 * rng.next() : 0.3 * rng.next();
      }
    }
  }
  return { images, labels };
}

/** As tensors: images `[count, 6, 6, 1]` and int32 labels. */
export function syntheticTensors(count: number, seed: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const { images, labels } = syntheticData(count, seed);
  return { images: tf.tensor4d(images, [count, SIDE, SIDE, 1]), labels: tf.tensor1d(labels, 'int32') };
}

/** An untrained MLP (flatten, dense 16 relu, dense 3 logits) with seeded weights. */
export function tinyMlp(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
  model.add(
    tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
  );
  model.add(tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/** {@link tinyMlp} trained for a few epochs on 300 synthetic images (deterministic: no shuffling). */
export async function trainedTinyMlp(seed = 1): Promise<tfl.LayersModel> {
  const model = tinyMlp(seed);
  model.compile({
    optimizer: tf.train.adam(0.03),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  const { images, labels } = syntheticTensors(300, seed + 100);
  const oneHot = tf.oneHot(labels, CLASSES);
  await model.fit(images, oneHot, { epochs: 40, batchSize: 50, shuffle: false, verbose: 0 });
  tf.dispose([images, labels, oneHot]);
  return model;
}

/** Every weight of `model`, copied, for bit-for-bit comparisons. */
export function snapshotWeights(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

/** Fraction of `images` that `model` classifies as `labels`. */
export function accuracyOf(model: tfl.LayersModel, images: tf.Tensor4D, labels: tf.Tensor1D): number {
  return tf.tidy(() => {
    const logits = model.apply(images) as tf.Tensor2D;
    return tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')).dataSync()[0] as number;
  });
}
