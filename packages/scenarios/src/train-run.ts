import { resolve } from 'node:path';
import type { RunRecord } from './run-record.js';
import { runTraining } from './run-training.js';
import { ensureSourceTrained } from './source-training.js';
import { sourceDirectoryFor, type SourceKind } from './sources.js';
import { resolveTrainConfig, type TrainConfigInput } from './train-config.js';
import type { TrainProgress } from './train-progress.js';

export type { TrainProgress } from './train-progress.js';

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** The run's folder: `run.json`, `checkpoints/`, `model/`, `model-folded/`. */
  outDir: string;
  /**
   * Continue from the last complete checkpoint (a finished run is returned as is). Without it, a
   * folder that already holds a run is an error, so nothing is overwritten by accident.
   */
  resume?: boolean;
  onProgress?: (event: TrainProgress) => void;
  /** Stops the run between two batches; the record is written with status `interrupted`. */
  signal?: AbortSignal;
  /**
   * Folder of the classical LeNet the precomputed adversarial examples are crafted on (adversarial
   * and mixed scenarios with `adversarialSource: 'precomputed'`). The planner passes its source
   * spec's folder. Left out: `sourceDirectoryFor(config, 'precomputed', outDir)`, i.e.
   * `<sourcesDir or outDir/..>/sources/<id>-e<epochs>-n<limit>`. Either way a folder without a
   * complete source run gets one trained there first (a `source` progress event says where).
   */
  precomputedSource?: string;
  /** Folder of the transfer attack's source model; the same rules as {@link precomputedSource}. */
  transferSource?: string;
  /**
   * With `resume`: a complete run whose folder lacks its saved model (a results folder keeps records,
   * not weights) is trained again, from its last checkpoint if one is left, and its record rewritten.
   */
  retrainMissingModel?: boolean;
}

/**
 * Trains one configuration in `outDir` and evaluates it, writing `run.json` (docs/run-json.md).
 *
 * Every epoch ends with a checkpoint (weights, APB state, history, optimizer state) written atomically;
 * with `resume`, training continues after the last one. An abort `signal` stops between batches
 * and writes status `interrupted`. A non-finite loss writes status `failed` and throws an
 * `ApbError` with code `NAN_LOSS`.
 *
 * Before any work, `outDir` is checked (a folder that can be written, code `OUT_NOT_WRITABLE`)
 * and leased for this process (`lease.json`): a folder another live process is writing is an
 * `ApbError` with code `RUN_HELD` naming that process. Data that does not fit the LeNet (image
 * size, labels) is refused once loaded (`SHAPE_MISMATCH`, `CLASS_MISMATCH`).
 *
 * Source models (see {@link TrainRunOptions.precomputedSource}) are read from their folders when
 * the run needs them, and trained there first when missing.
 */
export async function trainRun(input: TrainConfigInput, options: TrainRunOptions): Promise<RunRecord> {
  const config = resolveTrainConfig(input);
  const given: Record<SourceKind, string | undefined> = { precomputed: options.precomputedSource, transfer: options.transferSource };
  return runTraining(config, {
    outDir: options.outDir,
    resume: options.resume,
    retrainMissingModel: options.retrainMissingModel,
    signal: options.signal,
    onProgress: options.onProgress,
    sourceDirectory: async (kind) => {
      const directory = resolve(given[kind] ?? sourceDirectoryFor(config, kind, options.outDir));
      const trained = await ensureSourceTrained(config, kind, directory, { signal: options.signal, onProgress: options.onProgress });
      return trained ? directory : undefined;
    },
  });
}
