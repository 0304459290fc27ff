// The training of one run: epochs of seeded batches through @apb/layers' trainStepWithHits.
import { deriveSeed } from '@apb/core';
import { trainStepWithHits } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { trainingAttack } from './internal/training-attack.js';
import { batchCount, imagesToTensor, iterateBatches, pixelsPerImage, type SplitData } from './internal/training-data.js';
import type { HistoryEntry } from './run-record.js';
import type { TrainConfig } from './train-config.js';
import type { TrainProgress } from './train-progress.js';

/** How one epoch ended; passes are per epoch, in batch-sized units. */
export type EpochOutcome =
  | { kind: 'done'; entry: HistoryEntry; forward: number; backward: number }
  | { kind: 'interrupted' }
  | { kind: 'failed'; loss: number; batch: number };

/** What {@link trainEpoch} needs besides the model. */
export interface EpochOptions {
  /** FGSM examples of the whole training split crafted once (precomputed source), by example index. */
  precomputed?: Float32Array | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: TrainProgress) => void) | undefined;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The labels of a batch as the `int32` vector attacks expect. */
const labelTensor = (labels: Uint8Array) => tf.tensor1d(Int32Array.from(labels), 'int32');

/**
 * One epoch. Forward/backward passes are counted in examples and reported in batch-sized units:
 * crafting FGSM costs one forward and one backward pass per batch, PGD `steps` of each, and
 * training on a batch twice as large (mixed) two of each.
 */
export async function trainEpoch(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  train: SplitData,
  config: TrainConfig,
  epoch: number,
  options: EpochOptions,
): Promise<EpochOutcome> {
  const started = performance.now();
  const batches = batchCount(train, config.batchSize);
  const { precomputed } = options;
  const attack = config.scenario === 'clean' ? undefined : trainingAttack({ method: config.method, pgdSteps: config.pgdSteps, seed: deriveSeed(config.seed, epoch) });
  const craftPasses = config.method === 'pgd' ? config.pgdSteps : 1;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let forward = 0;
  let backward = 0;
  let batchIndex = 0;
  /** The training attack's eps for this batch: `attackEps`, or less while the ramp rises. */
  const epsAt = (batch: number) => attackEpsAt(config, ((epoch - 1) * batches + batch) / (config.epochs * batches));
  for (const batch of iterateBatches(train, { batchSize: config.batchSize, seed: deriveSeed(config.seed, epoch) })) {
    batchIndex += 1;
    if (options.signal?.aborted) return { kind: 'interrupted' };
    const { loss, hits, count } = tf.tidy(() => {
      const clean = imagesToTensor(batch.images, batch.count, train.rows, train.cols, train.channels);
      const labels = labelTensor(batch.labels);
      let adversarial: tf.Tensor4D | undefined;
      if (attack && precomputed) {
        adversarial = precomputedBatch(precomputed, batch.indices, train);
      } else if (attack) {
        adversarial = attack.craft(model, clean, labels, epsAt(batchIndex));
        forward += batch.count * craftPasses;
        backward += batch.count * craftPasses;
      }
      const x = config.scenario === 'clean' ? clean : config.scenario === 'adversarial' ? adversarial! : tf.concat([clean, adversarial!]);
      const y = config.scenario === 'mixed' ? tf.concat([labels, labels]) : labels;
      // The APB layers move only in the backward pass of this training-mode step.
      const step = trainStepWithHits(model, optimizer, x, y);
      forward += x.shape[0];
      backward += x.shape[0];
      return { ...step, count: x.shape[0] };
    });
    if (!Number.isFinite(loss)) return { kind: 'failed', loss, batch: batchIndex };
    lossSum += loss * count;
    correct += hits;
    seen += count;
    options.onProgress?.({ type: 'batch', epoch, epochs: config.epochs, batch: batchIndex, batches, loss });
    // Lets SIGINT handlers and abort signals run between batches.
    await yieldToEventLoop();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'done',
    entry: { epoch, loss: lossSum / seen, trainAccuracy: correct / seen, seconds, imagesPerSecond: train.count / seconds },
    forward: forward / config.batchSize,
    backward: backward / config.batchSize,
  };
}

/**
 * The training attack's eps after `progress` (0..1, batches done over all batches) of training:
 * linear from 0 to `attackEps` over the first `attackEpsRamp` of training, then `attackEps`. Never
 * exactly 0, since an attack at eps 0 is no attack (and the attacks refuse it).
 */
export function attackEpsAt(config: Pick<TrainConfig, 'attackEps' | 'attackEpsRamp'>, progress: number): number {
  if (config.attackEpsRamp === 0 || progress >= config.attackEpsRamp) return config.attackEps;
  return Math.max(config.attackEps * (progress / config.attackEpsRamp), 1e-6 * config.attackEps);
}

/** FGSM examples of the whole training split, crafted once on the source model (inference mode). */
export async function precomputeAdversarials(source: tfl.LayersModel, train: SplitData, config: TrainConfig): Promise<Float32Array> {
  const size = pixelsPerImage(train);
  const out = new Float32Array(train.count * size);
  const attack = trainingAttack({ method: 'standard', pgdSteps: 1, seed: config.seed });
  for (let start = 0; start < train.count; start += config.batchSize) {
    const count = Math.min(config.batchSize, train.count - start);
    const values = tf.tidy(() => {
      const images = imagesToTensor(train.images.subarray(start * size, (start + count) * size), count, train.rows, train.cols, train.channels);
      return attack.craft(source, images, labelTensor(train.labels.subarray(start, start + count)), config.attackEps).dataSync();
    });
    out.set(values, start * size);
    await yieldToEventLoop();
  }
  return out;
}

function precomputedBatch(precomputed: Float32Array, indices: number[], train: SplitData): tf.Tensor4D {
  const size = pixelsPerImage(train);
  const values = new Float32Array(indices.length * size);
  indices.forEach((index, i) => values.set(precomputed.subarray(index * size, (index + 1) * size), i * size));
  return tf.tensor4d(values, [indices.length, train.rows, train.cols, train.channels ?? 1]);
}
