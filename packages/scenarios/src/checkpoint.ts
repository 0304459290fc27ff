import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { writeDirectoryAtomic } from '@apb/core';
import { saveModel } from '@apb/layers';
import { readWeightsInto } from './model-files.js';
import { optimizerState, restoreOptimizerState } from './internal/optimizer-state.js';
import type { CheckpointEvaluation, HistoryEntry } from './run-record.js';
import type { TrainConfig } from './train-config.js';

/** What a checkpoint keeps besides the model's and the optimizer's weights. */
export interface CheckpointState {
  epoch: number;
  config: TrainConfig;
  history: HistoryEntry[];
  createdAt: string;
  /** Training seconds spent so far, across interruptions. */
  trainSeconds: number;
  /** Forward and backward passes of one epoch, in batch-sized units. */
  forwardPasses: number;
  backwardPasses: number;
  /** The evaluations at `evaluation.checkpoints` so far (absent in checkpoints of runs without them). */
  evaluationHistory?: CheckpointEvaluation[];
}

const CHECKPOINTS = 'checkpoints';
const STATE = 'state.json';
const OPTIMIZER_SPECS = 'optimizer.json';
const OPTIMIZER_WEIGHTS = 'optimizer.bin';
const epochDirectory = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

/**
 * Writes the checkpoint of a finished epoch as `checkpoints/epoch-NNNN/` (temp dir + rename), then
 * removes older ones: a crash at any moment leaves at least one complete checkpoint.
 */
export async function writeCheckpoint(runDirectory: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  const root = join(runDirectory, CHECKPOINTS);
  await mkdir(root, { recursive: true });
  const name = epochDirectory(state.epoch);
  await writeDirectoryAtomic(join(root, name), async (directory) => {
    await saveModel(model, directory);
    // Adam's step count, moments and running products, so that a resumed run continues exactly where it stopped.
    const { weights, fresh } = await optimizerState(optimizer);
    const encoded = await tf.io.encodeWeights(weights);
    tf.dispose(fresh);
    await writeFile(join(directory, OPTIMIZER_WEIGHTS), new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data)));
    await writeFile(join(directory, OPTIMIZER_SPECS), JSON.stringify(encoded.specs));
    await writeFile(join(directory, STATE), `${JSON.stringify(state, null, 2)}\n`);
  });
  for (const entry of await readdir(root)) {
    if (entry !== name) await rm(join(root, entry), { recursive: true, force: true });
  }
}

/** The newest complete checkpoint of a run, or undefined when there is none. */
export async function readLastCheckpoint(runDirectory: string): Promise<{ directory: string; state: CheckpointState } | undefined> {
  const root = join(runDirectory, CHECKPOINTS);
  const entries = await readdir(root).catch(() => [] as string[]);
  const complete = entries.filter((entry) => /^epoch-\d{4}$/.test(entry)).sort().reverse();
  for (const entry of complete) {
    try {
      const state = JSON.parse(await readFile(join(root, entry, STATE), 'utf8')) as CheckpointState;
      return { directory: join(root, entry), state };
    } catch {
      // a directory without a readable state is not a checkpoint; look at the previous one
    }
  }
  return undefined;
}

/** Restores a checkpoint's weights into a freshly built model and its state into a fresh optimizer. */
export async function restoreCheckpoint(model: tfl.LayersModel, optimizer: tf.Optimizer, directory: string): Promise<void> {
  await readWeightsInto(model, directory);
  const specs = JSON.parse(await readFile(join(directory, OPTIMIZER_SPECS), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(join(directory, OPTIMIZER_WEIGHTS));
  const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  const values = specs.map((spec) => ({ name: spec.name, tensor: named[spec.name]! }));
  await restoreOptimizerState(optimizer, values);
  // The optimizer made variables of its own; these decoded copies are no longer needed.
  tf.dispose(values.map((value) => value.tensor));
}
