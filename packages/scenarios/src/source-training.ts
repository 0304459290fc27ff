import { join } from 'node:path';
import { runTraining } from './run-training.js';
import { isRunHeldError, waitForRelease } from './run-lease.js';
import { tryReadRunRecord } from './run-record-io.js';
import { sourceConfigFor, type SourceKind } from './sources.js';
import type { TrainConfig } from './train-config.js';
import type { TrainProgress } from './train-progress.js';

/** Options of {@link ensureSourceTrained}. */
export interface EnsureSourceOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: TrainProgress) => void) | undefined;
}

/**
 * Makes sure `directory` holds the complete source model of `config`: left as is when a sibling
 * run (or the planner's source spec) already trained it, else trained there now (resuming an
 * interrupted attempt). When another process is training it, waits for that one instead of training
 * it twice. Returns false when `signal` stopped the training or the wait. A source is a classical
 * LeNet on clean data, so it never needs sources of its own.
 */
export async function ensureSourceTrained(config: TrainConfig, kind: SourceKind, directory: string, options: EnsureSourceOptions = {}): Promise<boolean> {
  const source = sourceConfigFor(config, kind);
  const onProgress = options.onProgress;
  let record = await tryReadRunRecord(join(directory, 'run.json'));
  onProgress?.({ type: 'source', kind, directory, status: record?.status === 'complete' ? 'found' : 'training' });
  while (record?.status !== 'complete') {
    try {
      record = await runTraining(source, {
        outDir: directory,
        resume: true,
        signal: options.signal,
        onProgress: onProgress && ((event: TrainProgress) => onProgress({ ...event, source: kind })),
      });
    } catch (error) {
      if (!isRunHeldError(error)) throw error;
      onProgress?.({ type: 'phase', phase: 'load', detail: `waiting for ${directory}, which another process is training`, source: kind });
      if (!(await waitForRelease(directory, { signal: options.signal }))) return false;
      // The holder may have finished it, or stopped; the loop trains what it left, if anything.
      record = await tryReadRunRecord(join(directory, 'run.json'));
      continue;
    }
    if (record.status !== 'complete') return false;
  }
  return true;
}
