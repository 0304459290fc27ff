import { join } from 'node:path';
import { evaluateRun } from './evaluate-run.js';
import type { RunSpec } from './plan.js';
import type { RunRecord } from './run-record.js';
import { trainRun, type TrainProgress } from './train-run.js';

/** Runs one spec of a reproduction in this process, resuming whatever a previous attempt left. */
export async function executeSpec(
  spec: RunSpec,
  outDir: string,
  options: { signal?: AbortSignal; onProgress?: (event: TrainProgress) => void } = {},
): Promise<RunRecord> {
  if (spec.kind === 'evaluate') {
    return evaluateRun({ fromDir: join(outDir, spec.from!), outDir: join(outDir, spec.id), evaluation: spec.config.evaluation, signal: options.signal });
  }
  return trainRun(spec.config, { outDir: join(outDir, spec.id), resume: true, signal: options.signal, onProgress: options.onProgress });
}
