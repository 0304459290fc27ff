import { adam } from '@apb/backend';
import { lenet } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The paper's batch size. */
export const BATCH_SIZE = 128;

/** FGSM step size used by the adversarial step (its value does not change the cost). */
const FGSM_EPS = 0.1;

/**
 * The classical LeNet that `apb train` trains (`lenet()` of @apb/layers), with seeded weights so
 * every backend and process times the same network.
 */
export function buildBenchLenet(seed = 1): tfl.LayersModel {
  return lenet({ seed });
}

/**
 * Distinct batches a per-step workload cycles through, on both sides of a PyTorch comparison, as a
 * user's loop does: trained on one fixed batch, a model memorizes it within seconds, and the
 * timing is then of a saturated model (PyTorch's FGSM step slowed 2-3x that way), not of training.
 */
export const STEP_BATCHES = 16;

/** `count` seeded synthetic batches (seeds `seed`, `seed + 2`, ...), for a workload to cycle through. */
export function syntheticBatches(count = STEP_BATCHES, seed = 1): { images: tf.Tensor4D; labels: tf.Tensor2D }[] {
  return Array.from({ length: count }, (_, i) => syntheticBatch(seed + 2 * i));
}

/** Cycles through `items`, one per call. */
export function cycle<T>(items: readonly T[]): () => T {
  let next = 0;
  return () => items[next++ % items.length]!;
}

/** One synthetic MNIST-shaped batch in [0, 1] with labels, seeded. */
export function syntheticBatch(seed = 1): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const images = tf.randomUniform<tf.Rank.R4>([BATCH_SIZE, 28, 28, 1], 0, 1, 'float32', seed);
    const classes = tf.randomUniform<tf.Rank.R1>([BATCH_SIZE], 0, 10, 'int32', seed + 1);
    return { images, labels: tf.cast(tf.oneHot(classes, 10), 'float32') as tf.Tensor2D };
  });
}

/** The three timed workloads on one model and Adam optimizer, cycling through {@link STEP_BATCHES} batches. Each call runs one step. */
export interface LenetWorkload {
  /** One Adam step on the clean batch. */
  cleanStep(): void;
  /** FGSM on the batch (input gradient, inference mode), then one Adam step on clean + adversarial (256). */
  fgsmStep(): void;
  /** Logits for the batch, inference mode. */
  inference(): void;
  dispose(): void;
}

/**
 * Builds the workloads; every step reads its result back so that timing includes the work. Adam is
 * `apb train`'s (`adam()` of @apb/backend: the fused step once native is active).
 */
export function lenetWorkload(seed = 1): LenetWorkload {
  const model = buildBenchLenet(seed);
  const optimizer = adam(1e-3);
  const batches = syntheticBatches(STEP_BATCHES, seed);
  const nextBatch = cycle(batches);
  const lossOf = (x: tf.Tensor, y: tf.Tensor, training: boolean) =>
    tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training }) as tf.Tensor);

  const readAndDispose = (tensor: tf.Tensor) => {
    tensor.dataSync();
    tensor.dispose();
  };
  return {
    cleanStep() {
      const { images, labels } = nextBatch();
      readAndDispose(tf.tidy(() => optimizer.minimize(() => lossOf(images, labels, true), true)!));
    },
    fgsmStep() {
      const { images, labels } = nextBatch();
      readAndDispose(
        tf.tidy(() => {
          const gradient = tf.grad((x: tf.Tensor) => lossOf(x, labels, false))(images);
          const adversarial = tf.clipByValue(tf.add(images, tf.mul(FGSM_EPS, tf.sign(gradient))), 0, 1);
          const x = tf.concat([images, adversarial]);
          const y = tf.concat([labels, labels]);
          return optimizer.minimize(() => lossOf(x, y, true), true)!;
        }),
      );
    },
    inference() {
      const { images } = nextBatch();
      readAndDispose(tf.tidy(() => model.predict(images) as tf.Tensor));
    },
    dispose() {
      tf.dispose(batches);
      optimizer.dispose();
      model.dispose();
    },
  };
}
