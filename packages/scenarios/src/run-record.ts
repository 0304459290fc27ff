import { ApbError } from '@apb/core';
import { z } from 'zod';
import { recordedTrainConfigSchema, type TrainConfig } from './train-config.js';

/** Version of the `run.json` schema; fields are only ever added within one version. */
export const RUN_SCHEMA_VERSION = 1;

const fraction = z.number().min(0).max(1);
const seconds = z.number().nonnegative();

/** One epoch of training history. */
export const historyEntrySchema = z.looseObject({
  epoch: z.int().positive(),
  loss: z.number(),
  trainAccuracy: fraction,
  seconds,
  imagesPerSecond: z.number().nonnegative(),
});

/** The robustness evaluation of a run (see docs/run-json.md). */
export const evaluationRecordSchema = z.looseObject({
  n: z.int().nonnegative(),
  clean: z.looseObject({ accuracy: fraction, n: z.int().nonnegative() }),
  attacks: z.array(
    z.looseObject({
      attack: z.string(),
      eps: z.number().nonnegative(),
      accuracy: fraction,
      n: z.int().nonnegative(),
      seconds,
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  worstCase: z.array(
    z.looseObject({ eps: z.number().nonnegative(), accuracy: fraction, n: z.int().nonnegative(), attacks: z.array(z.string()) }),
  ),
  diagnostics: z.array(
    z.looseObject({ flag: z.string(), raised: z.boolean(), detail: z.string(), values: z.record(z.string(), z.number()) }),
  ),
  history: z
    .array(
      z.looseObject({
        epoch: z.int().positive(),
        clean: z.looseObject({ accuracy: fraction, n: z.int().nonnegative() }),
        attacks: z.array(z.looseObject({ attack: z.string(), eps: z.number().nonnegative(), accuracy: fraction, n: z.int().nonnegative(), seconds })),
        softmaxSaturation: z.looseObject({ share: fraction, n: z.int().nonnegative() }),
        apbDelta: z.array(z.looseObject({ layer: z.string(), maxAbs: z.number().nonnegative() })),
        seconds,
      }),
    )
    .optional(),
});

/** Cost accounting of a run; passes are per epoch, in units of one batch-sized pass. */
export const costRecordSchema = z.looseObject({
  seconds,
  trainSeconds: seconds,
  evalSeconds: seconds,
  imagesPerSecond: z.number().nonnegative(),
  forwardPasses: z.number().nonnegative(),
  backwardPasses: z.number().nonnegative(),
  passesPerEpoch: z.number().nonnegative(),
});

/** Validator of `run.json`, schema version 1. Unknown fields are kept (fields get added). */
export const runRecordSchema = z.looseObject({
  schemaVersion: z.literal(RUN_SCHEMA_VERSION),
  id: z.string().min(1),
  status: z.enum(['complete', 'interrupted', 'failed']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  seed: z.int().nonnegative(),
  config: recordedTrainConfigSchema,
  backend: z.looseObject({ name: z.string(), threads: z.number(), simd: z.boolean(), notes: z.array(z.string()) }),
  versions: z.record(z.string(), z.string()),
  machine: z.looseObject({
    platform: z.string(),
    arch: z.string(),
    cpus: z.int().nonnegative(),
    cpuModel: z.string(),
    memoryGiB: z.number().nonnegative(),
  }),
  history: z.array(historyEntrySchema),
  evaluation: evaluationRecordSchema.optional(),
  cost: costRecordSchema,
  error: z.string().optional(),
});

/** One epoch of training history; `imagesPerSecond` counts the training split's images. */
export interface HistoryEntry {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

/** The robustness evaluation of a run (the shape `evaluateRobustness` returns). */
export interface EvaluationRecord {
  n: number;
  clean: { accuracy: number; n: number };
  attacks: { attack: string; eps: number; accuracy: number; n: number; seconds: number; params?: Record<string, unknown> }[];
  worstCase: { eps: number; accuracy: number; n: number; attacks: string[] }[];
  diagnostics: { flag: string; raised: boolean; detail: string; values: Record<string, number> }[];
  /** The model evaluated during training at `evaluation.checkpoints` and after the last epoch. */
  history?: CheckpointEvaluation[];
}

/** One point of `evaluation.history`: the model after `epoch` epochs (docs/run-json.md). */
export interface CheckpointEvaluation {
  epoch: number;
  clean: { accuracy: number; n: number };
  attacks: { attack: string; eps: number; accuracy: number; n: number; seconds: number }[];
  /** Share of the evaluated images whose float32 softmax maximum is exactly 1.0 (zero cross-entropy gradient). */
  softmaxSaturation: { share: number; n: number };
  /** max |delta| of each APB layer; empty for a classical model. */
  apbDelta: { layer: string; maxAbs: number }[];
  seconds: number;
}

/** Cost accounting of a run; passes are per epoch, in units of one batch-sized pass. */
export interface CostRecord {
  seconds: number;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSecond: number;
  forwardPasses: number;
  backwardPasses: number;
  /** `forwardPasses + backwardPasses`. */
  passesPerEpoch: number;
}
/** Status of a run: only `complete` runs are skipped by a restarted reproduction. */
export type RunStatus = 'complete' | 'interrupted' | 'failed';

/** The content of `run.json` (docs/run-json.md). */
export interface RunRecord {
  schemaVersion: typeof RUN_SCHEMA_VERSION;
  id: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  seed: number;
  config: TrainConfig;
  backend: { name: string; threads: number; simd: boolean; notes: string[] };
  versions: Record<string, string>;
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; memoryGiB: number };
  history: HistoryEntry[];
  evaluation?: EvaluationRecord;
  cost: CostRecord;
  error?: string;
}

/**
 * Checks parsed JSON against the run.json schema and returns it typed. Throws an `ApbError`
 * (code `BAD_RUN_RECORD`) naming the first bad field; `source` names the file in the message.
 */
export function validateRunRecord(json: unknown, source = 'run.json'): RunRecord {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== RUN_SCHEMA_VERSION) {
    throw new ApbError(`${source} has schema version ${version}; this toolkit reads version ${RUN_SCHEMA_VERSION}.`, {
      code: 'RUN_SCHEMA_VERSION',
      suggestion: 'Use the apb version that wrote it, or re-run the training.',
    });
  }
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new ApbError(`${source} is not a valid run record: field "${field}": ${issue?.message ?? 'invalid'}.`, {
      code: 'BAD_RUN_RECORD',
      suggestion: 'Re-run the training to rewrite it, or fix the field by hand.',
      cause: parsed.error,
    });
  }
  return parsed.data;
}
