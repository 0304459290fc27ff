import * as tf from '@tensorflow/tfjs-core';
import { misclassified, type Attack } from './attack.js';
import type { Classifier } from './classifier.js';
import type { DatasetView } from './dataset-view.js';

/** 1 per example of `indices` that `model` classifies correctly. */
export async function classify(
  model: Classifier,
  view: DatasetView,
  indices: number[],
  batchSize: number,
  onBatch: (done: number) => void = () => undefined,
): Promise<Uint8Array> {
  const correct = new Uint8Array(indices.length);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = view.batch(indices.slice(start, start + batchSize));
    const wrong = misclassified(model, batch.images, batch.labels);
    const values = await wrong.data();
    values.forEach((w, j) => (correct[start + j] = w ? 0 : 1));
    tf.dispose([wrong, batch.images, batch.labels]);
    onBatch(Math.min(start + batchSize, indices.length));
  }
  return correct;
}

/** Mean of 0/1 flags; 0 for an empty list (nothing evaluated counts as nothing robust). */
export function mean(flags: Uint8Array): number {
  if (flags.length === 0) return 0;
  let sum = 0;
  for (const f of flags) sum += f;
  return sum / flags.length;
}

/**
 * 1 per example of `indices` still classified correctly after `attack` at `eps` (clean
 * misclassifications count as broken, so eps = 0 gives clean accuracy).
 */
export async function attackRobustness(
  model: Classifier,
  view: DatasetView,
  indices: number[],
  attack: Attack,
  eps: number,
  batchSize: number,
  onBatch: (done: number) => void = () => undefined,
): Promise<Uint8Array> {
  const robust = new Uint8Array(indices.length);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = view.batch(indices.slice(start, start + batchSize));
    try {
      const outputs = await attack.run(model, batch.images, batch.labels, { epsilons: [eps] });
      for (const output of outputs) {
        const success = await output.success.data();
        success.forEach((s, j) => (robust[start + j] = s ? 0 : 1));
        tf.dispose([output.raw, output.clipped, output.success]);
      }
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
    onBatch(Math.min(start + batchSize, indices.length));
  }
  return robust;
}
