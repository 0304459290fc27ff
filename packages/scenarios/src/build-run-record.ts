import { machineInfo, packageVersions } from './environment.js';
import type { BackendSummary } from './internal/backend-setup.js';
import { RUN_SCHEMA_VERSION, type EvaluationRecord, type HistoryEntry, type RunRecord } from './run-record.js';
import { runIdFor, type TrainConfig } from './train-config.js';

/** What a run knows when it writes its record (complete, interrupted or failed). */
export interface RunRecordParts {
  config: TrainConfig;
  createdAt: string;
  backend: BackendSummary;
  /** `performance.now()` when this invocation started. */
  started: number;
  /** Wall seconds of earlier, interrupted invocations of the run. */
  priorSeconds: number;
  status: RunRecord['status'];
  history: HistoryEntry[];
  trainSeconds: number;
  /** Passes of one epoch, in batch-sized units. */
  passes: { forward: number; backward: number };
  evaluation?: EvaluationRecord | undefined;
  evalSeconds?: number | undefined;
  error?: string | undefined;
}

/** The `run.json` of a training run (docs/run-json.md), with this machine and these package versions. */
export function buildRunRecord(parts: RunRecordParts): RunRecord {
  const imagesTrained = parts.history.reduce((sum, entry) => sum + entry.imagesPerSecond * entry.seconds, 0);
  const epochSeconds = parts.history.reduce((sum, entry) => sum + entry.seconds, 0);
  const record: RunRecord = {
    schemaVersion: RUN_SCHEMA_VERSION,
    id: runIdFor(parts.config),
    status: parts.status,
    createdAt: parts.createdAt,
    updatedAt: new Date().toISOString(),
    seed: parts.config.seed,
    config: parts.config,
    backend: { name: parts.backend.name, threads: parts.backend.threads, simd: parts.backend.simd, notes: parts.backend.notes },
    versions: packageVersions(parts.backend.versions),
    machine: machineInfo(),
    history: parts.history,
    cost: {
      seconds: parts.priorSeconds + (performance.now() - parts.started) / 1000,
      trainSeconds: parts.trainSeconds,
      evalSeconds: parts.evalSeconds ?? 0,
      imagesPerSecond: epochSeconds > 0 ? imagesTrained / epochSeconds : 0,
      forwardPasses: parts.passes.forward,
      backwardPasses: parts.passes.backward,
      passesPerEpoch: parts.passes.forward + parts.passes.backward,
    },
  };
  if (parts.evaluation) record.evaluation = parts.evaluation;
  if (parts.error !== undefined) record.error = parts.error;
  return record;
}
