import { ApbError } from '@apb/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { join, resolve } from 'node:path';
import { evaluateModel } from './evaluate-model.js';
import { needsTransferSource } from './evaluation-attacks.js';
import { prepareBackend } from './internal/backend-setup.js';
import { buildModel } from './internal/model-factory.js';
import { loadSplit } from './internal/training-data.js';
import { readWeightsInto } from './model-files.js';
import { ensureWritableDirectory } from './output-location.js';
import { acquireRunLease } from './run-lease.js';
import { readRunRecord, tryReadRunRecord, writeRunRecord } from './run-record-io.js';
import type { RunRecord } from './run-record.js';
import { ensureSourceTrained } from './source-training.js';
import { readSourceModel, sourceDirectoryFor } from './sources.js';
import { evaluationPlanSchema, type EvaluationPlan } from './train-config.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** The folder of a complete training run (its `run.json` and `model/`). */
  fromDir: string;
  /** Where this evaluation's own `run.json` goes. */
  outDir: string;
  evaluation: Partial<EvaluationPlan>;
  signal?: AbortSignal;
  /**
   * Folder of the transfer attack's source model (trained there first when missing). Left out:
   * the one beside the trained run, `sourceDirectoryFor(config, 'transfer', fromDir)`.
   */
  transferSource?: string;
}

/**
 * Evaluates the model of a finished run with another evaluation plan, without training again
 * (Figure 3a's eps sweep reuses Figure 2's clean APB model). Writes `outDir/run.json`: the trained
 * run's config (with this plan), history and training cost, this evaluation, and `evaluatedFrom`.
 * A complete record with the same plan is returned as is. `outDir` is leased while it is written,
 * like `trainRun`'s folder.
 */
export async function evaluateRun(options: EvaluateRunOptions): Promise<RunRecord> {
  await ensureWritableDirectory(options.outDir, 'the run folder');
  const lease = await acquireRunLease(options.outDir);
  try {
    return await evaluateLeasedRun(options);
  } finally {
    await lease.release();
  }
}

async function evaluateLeasedRun(options: EvaluateRunOptions): Promise<RunRecord> {
  const trained = await readRunRecord(join(options.fromDir, 'run.json'));
  if (trained.status !== 'complete') {
    throw new ApbError(`${options.fromDir} holds a run that is ${trained.status}, not complete.`, {
      code: 'RUN_INCOMPLETE',
      suggestion: 'Finish the training first (apb train --resume --out DIR).',
    });
  }
  const config = { ...trained.config, evaluation: evaluationPlanSchema.parse({ ...trained.config.evaluation, ...options.evaluation }) };
  const runJson = join(options.outDir, 'run.json');
  const existing = await tryReadRunRecord(runJson);
  if (existing?.status === 'complete' && JSON.stringify(existing.config) === JSON.stringify(config)) return existing;

  const started = performance.now();
  const backend = await prepareBackend(config.backend);
  const test = await loadSplit(config.dataset, 'test', { dataDir: config.dataDir, datasetDir: config.datasetDir, limit: config.testLimit });
  const model = buildModel(config, config.seed);
  let transfer: tfl.LayersModel | undefined;
  try {
    await readWeightsInto(model, join(options.fromDir, 'model'));
    if (needsTransferSource(config.evaluation.attacks)) {
      const directory = resolve(options.transferSource ?? sourceDirectoryFor(config, 'transfer', options.fromDir));
      if (await ensureSourceTrained(config, 'transfer', directory, { signal: options.signal })) {
        transfer = await readSourceModel(config, 'transfer', directory);
      }
    }
    const evaluated = transfer || !needsTransferSource(config.evaluation.attacks)
      ? await evaluateModel(model, test, config.evaluation, { transferSource: transfer, seed: config.seed, signal: options.signal })
      : undefined;
    const now = new Date().toISOString();
    const record: RunRecord & { evaluatedFrom: string } = {
      ...trained,
      status: evaluated ? 'complete' : 'interrupted',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      config,
      backend: { name: backend.name, threads: backend.threads, simd: backend.simd, notes: backend.notes },
      cost: { ...trained.cost, evalSeconds: evaluated?.seconds ?? 0, seconds: (performance.now() - started) / 1000 },
      evaluatedFrom: trained.id,
    };
    if (evaluated) record.evaluation = evaluated.evaluation;
    else delete record.evaluation;
    await writeRunRecord(runJson, record);
    return record;
  } finally {
    model.dispose();
    transfer?.dispose();
  }
}
