import { ApbError } from '@apb/core';
import { adam } from '@apb/backend';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRunRecord } from './build-run-record.js';
import { readLastCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint.js';
import { checkDataFitsModel } from './data-fit.js';
import { checkpointEntry, checkpointEpochs, evaluateCheckpoint } from './checkpoint-evaluation.js';
import { needsTransferSource } from './evaluation-attacks.js';
import { evaluateModel } from './evaluate-model.js';
import { prepareBackend } from './internal/backend-setup.js';
import { buildModel } from './internal/model-factory.js';
import { loadSplit } from './internal/training-data.js';
import { ensureWritableDirectory } from './output-location.js';
import { acquireRunLease } from './run-lease.js';
import { tryReadRunRecord, writeRunRecord } from './run-record-io.js';
import type { CheckpointEvaluation, EvaluationRecord, HistoryEntry, RunRecord } from './run-record.js';
import { hasSavedModel } from './model-files.js';
import { saveRunModels } from './save-run-models.js';
import { readSourceModel, type SourceKind } from './sources.js';
import { resolveTrainConfig, type TrainConfig } from './train-config.js';
import type { TrainProgress } from './train-progress.js';
import { precomputeAdversarials, trainEpoch } from './training-loop.js';

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  outDir: string;
  resume?: boolean | undefined;
  /** See `TrainRunOptions.retrainMissingModel`. */
  retrainMissingModel?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: TrainProgress) => void) | undefined;
  /**
   * The folder of the complete source model of `kind`, asked for only when the run needs it (the
   * precomputed source while epochs remain, the transfer source before evaluating); undefined
   * when a signal stopped its training. Source runs themselves never ask.
   */
  sourceDirectory?: ((kind: SourceKind) => Promise<string | undefined>) | undefined;
}

/** Same options, compared as resolved JSON. */
function sameConfig(a: TrainConfig, b: TrainConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(resolveTrainConfig(b));
}

function mismatch(outDir: string): ApbError {
  return new ApbError(`${outDir} holds a run with other options.`, {
    code: 'CONFIG_MISMATCH',
    suggestion: 'Resume with the same options, or choose another --out.',
  });
}

/**
 * Trains one resolved configuration in `outDir` with the source models it is handed, evaluates it
 * and writes its record: the run-folder checks and lease, resume, the epochs, the evaluation, the
 * saved models and `run.json`. See `trainRun` for the contract; this is its body, without the
 * choice of where source models live.
 */
export async function runTraining(config: TrainConfig, options: RunTrainingOptions): Promise<RunRecord> {
  await ensureWritableDirectory(options.outDir, 'the run folder');
  const lease = await acquireRunLease(options.outDir);
  try {
    return await trainLeasedRun(config, options);
  } finally {
    await lease.release();
  }
}

async function trainLeasedRun(config: TrainConfig, options: RunTrainingOptions): Promise<RunRecord> {
  const { outDir, signal, onProgress } = options;
  const runJson = join(outDir, 'run.json');
  const existing = await tryReadRunRecord(runJson);
  const checkpoint = await readLastCheckpoint(outDir);
  if (!options.resume) {
    const entries = await readdir(outDir).catch(() => [] as string[]);
    if (existing || checkpoint || entries.includes('run.json')) {
      throw new ApbError(`${outDir} already holds a run.`, {
        code: 'RUN_EXISTS',
        suggestion: 'Pass --resume to continue it, or choose another --out.',
      });
    }
  }
  if (existing && !sameConfig(config, existing.config)) throw mismatch(outDir);
  if (checkpoint && !sameConfig(config, checkpoint.state.config)) throw mismatch(outDir);
  if (existing?.status === 'complete' && !(options.retrainMissingModel && !(await hasSavedModel(outDir)))) return existing;

  const started = performance.now();
  const createdAt = existing?.createdAt ?? checkpoint?.state.createdAt ?? new Date().toISOString();
  onProgress?.({ type: 'phase', phase: 'load' });
  const backend = await prepareBackend(config.backend);
  const train = await loadSplit(config.dataset, 'train', { dataDir: config.dataDir, datasetDir: config.datasetDir, limit: config.trainLimit });
  const test = await loadSplit(config.dataset, 'test', { dataDir: config.dataDir, datasetDir: config.datasetDir, limit: config.testLimit });

  let history: HistoryEntry[] = checkpoint?.state.history ?? [];
  let evaluationHistory: CheckpointEvaluation[] = checkpoint?.state.evaluationHistory ?? [];
  const evaluateAt = new Set(checkpointEpochs(config.evaluation, config.epochs));
  let trainSeconds = checkpoint?.state.trainSeconds ?? 0;
  let passes = { forward: checkpoint?.state.forwardPasses ?? 0, backward: checkpoint?.state.backwardPasses ?? 0 };
  // Wall time spent by earlier, interrupted invocations of this run.
  const priorSeconds = existing?.status === 'interrupted' ? existing.cost.seconds : 0;
  const record = (status: RunRecord['status'], extra: { evaluation?: EvaluationRecord; evalSeconds?: number; error?: string } = {}) =>
    buildRunRecord({ config, createdAt, backend, started, priorSeconds, status, history, trainSeconds, passes, ...extra });

  const model = buildModel(config, config.seed);
  // The native backend's fused Adam step gives the stock optimizer's numbers bit for bit.
  const optimizer = adam(config.lr);
  const sources: tfl.LayersModel[] = [];
  /** The source model of `kind`, or undefined when a signal stopped its training. */
  const sourceModel = async (kind: SourceKind): Promise<tfl.LayersModel | undefined> => {
    if (!options.sourceDirectory) {
      throw new ApbError(`The run in ${outDir} needs a ${kind}-source model but none was provided.`, {
        code: 'SOURCE_MISSING',
        suggestion: 'Call trainRun, which trains missing source models, or pass the source folder.',
      });
    }
    const directory = await options.sourceDirectory(kind);
    if (directory === undefined) return undefined;
    const source = await readSourceModel(config, kind, directory);
    sources.push(source);
    return source;
  };
  let transfer: tfl.LayersModel | undefined;
  /** The transfer source when the plan needs one (loaded once), false when a signal stopped its training. */
  const transferModel = async (): Promise<tfl.LayersModel | undefined | false> => {
    if (!needsTransferSource(config.evaluation.attacks)) return undefined;
    transfer ??= await sourceModel('transfer');
    return transfer ?? false;
  };
  try {
    checkDataFitsModel(model, train);
    checkDataFitsModel(model, test);
    if (checkpoint) await restoreCheckpoint(model, optimizer, checkpoint.directory);

    let precomputed: Float32Array | undefined;
    if (config.scenario !== 'clean' && config.adversarialSource === 'precomputed' && history.length < config.epochs) {
      onProgress?.({ type: 'phase', phase: 'precompute' });
      const source = await sourceModel('precomputed');
      if (!source) return await finish(runJson, record('interrupted'));
      const craftStart = performance.now();
      precomputed = await precomputeAdversarials(source, train, config);
      // Crafting once is part of this method's training cost (the source model is shared, so not).
      trainSeconds += (performance.now() - craftStart) / 1000;
    }

    onProgress?.({ type: 'phase', phase: 'train' });
    for (let epoch = history.length + 1; epoch <= config.epochs; epoch += 1) {
      const outcome = await trainEpoch(model, optimizer, train, config, epoch, { precomputed, signal, onProgress });
      if (outcome.kind === 'interrupted') return await finish(runJson, record('interrupted'));
      if (outcome.kind === 'failed') {
        const message = `Training loss became ${outcome.loss} in epoch ${epoch}, batch ${outcome.batch} (lr ${config.lr}).`;
        await finish(runJson, record('failed', { error: message }));
        throw new ApbError(message, {
          code: 'NAN_LOSS',
          suggestion: 'Lower --lr (e.g. 0.001) or check the data; the run stopped and run.json says failed.',
        });
      }
      trainSeconds += outcome.entry.seconds;
      passes = { forward: outcome.forward, backward: outcome.backward };
      if (evaluateAt.has(epoch)) {
        onProgress?.({ type: 'phase', phase: 'evaluate', detail: `epoch ${epoch} of ${config.epochs}` });
        const source = await transferModel();
        const entry = source === false ? undefined : await evaluateCheckpoint(model, test, config.evaluation, epoch, { seed: config.seed, transferSource: source, signal });
        // The epoch is not checkpointed without its evaluation: a resumed run trains it again, exactly.
        if (!entry) return await finish(runJson, record('interrupted'));
        evaluationHistory = [...evaluationHistory, entry];
        onProgress?.({ type: 'phase', phase: 'train' });
      }
      history = [...history, outcome.entry];
      await writeCheckpoint(outDir, model, optimizer, {
        epoch,
        config,
        history,
        createdAt,
        trainSeconds,
        forwardPasses: passes.forward,
        backwardPasses: passes.backward,
        ...(evaluateAt.size > 0 ? { evaluationHistory } : {}),
      });
      onProgress?.({ type: 'epoch', entry: outcome.entry, epochs: config.epochs });
    }

    onProgress?.({ type: 'phase', phase: 'evaluate' });
    const evaluationStarted = performance.now();
    const source = await transferModel();
    if (source === false) return await finish(runJson, record('interrupted'));
    const evaluated = await evaluateModel(model, test, config.evaluation, { transferSource: source, seed: config.seed, signal });
    if (!evaluated) return await finish(runJson, record('interrupted'));
    if (config.evaluation.checkpoints.length > 0) {
      const last = checkpointEntry(model, test, config.evaluation, config.epochs, evaluated.evaluation, config.seed, evaluationStarted);
      evaluated.evaluation.history = [...evaluationHistory, last];
    }

    onProgress?.({ type: 'phase', phase: 'save' });
    await saveRunModels(outDir, model, config);
    return await finish(runJson, record('complete', { evaluation: evaluated.evaluation, evalSeconds: evaluated.seconds }));
  } finally {
    optimizer.dispose();
    model.dispose();
    for (const source of sources) source.dispose();
  }
}

async function finish(path: string, record: RunRecord): Promise<RunRecord> {
  await writeRunRecord(path, record);
  return record;
}
