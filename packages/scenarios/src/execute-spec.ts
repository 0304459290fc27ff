import { join } from 'node:path';
import { evaluateRun } from './evaluate-run.js';
import type { RunSpec } from './plan.js';
import type { RunRecord } from './run-record.js';
import { trainRun, type TrainProgress } from './train-run.js';

/**
 * Runs one spec of a reproduction in this process, resuming whatever a previous attempt left. The
 * source models a spec needs are the planner's source specs, in their folders under `outDir`.
 */
export async function executeSpec(
  spec: RunSpec,
  outDir: string,
  options: { signal?: AbortSignal; onProgress?: (event: TrainProgress) => void } = {},
): Promise<RunRecord> {
  const sources = {
    ...(spec.sources?.precomputed === undefined ? {} : { precomputedSource: join(outDir, spec.sources.precomputed) }),
    ...(spec.sources?.transfer === undefined ? {} : { transferSource: join(outDir, spec.sources.transfer) }),
  };
  if (spec.kind === 'evaluate') {
    return evaluateRun({ fromDir: join(outDir, spec.from!), outDir: join(outDir, spec.id), evaluation: spec.config.evaluation, signal: options.signal, ...(sources.transferSource === undefined ? {} : { transferSource: sources.transferSource }) });
  }
  return trainRun(spec.config, { outDir: join(outDir, spec.id), resume: true, ...(spec.retrainModel ? { retrainMissingModel: true } : {}), ...sources, ...options });
}
