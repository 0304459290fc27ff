import { ApbError } from '@apb/backend';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirectoryAtomic } from './atomic-write.js';
import { readLastCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint.js';
import { machineInfo, packageVersions } from './environment.js';
import { evaluateModel } from './evaluate-model.js';
import { prepareBackend, type BackendSummary } from './internal/backend-setup.js';
import { batchCount, imagesToTensor, iterateBatches, loadSplit, type SplitData } from './internal/training-data.js';
import { trainingAttack } from './internal/training-attack.js';
import { buildLenet, foldModel } from './internal/model-factory.js';
import { checkDataFitsModel } from './data-fit.js';
import { ensureWritableDirectory } from './output-location.js';
import { acquireRunLease } from './run-lease.js';
import { deriveSeed } from './internal/random.js';
import { saveModel } from '@apb/layers';
import { tryReadRunRecord, writeRunRecord } from './run-record-io.js';
import { RUN_SCHEMA_VERSION, type EvaluationRecord, type HistoryEntry, type RunRecord } from './run-record.js';
import { ensureSourceModel } from './sources.js';
import { resolveTrainConfig, runIdFor, type TrainConfig, type TrainConfigInput } from './train-config.js';

/** Progress of a run, for progress bars. `source` is set while a source model trains. */
export type TrainProgress = (
  | { type: 'phase'; phase: 'load' | 'precompute' | 'train' | 'evaluate' | 'save'; detail?: string }
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; entry: HistoryEntry; epochs: number }
) & { source?: 'precomputed' | 'transfer' };

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
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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

/** The labels of a batch as the `int32` vector attacks expect. */
const labelTensor = (labels: Uint8Array) => tf.tensor1d(Int32Array.from(labels), 'int32');

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
 */
export async function trainRun(input: TrainConfigInput, options: TrainRunOptions): Promise<RunRecord> {
  const config = resolveTrainConfig(input);
  await ensureWritableDirectory(options.outDir, 'the run folder');
  const lease = await acquireRunLease(options.outDir);
  try {
    return await trainLeasedRun(config, options);
  } finally {
    await lease.release();
  }
}

async function trainLeasedRun(config: TrainConfig, options: TrainRunOptions): Promise<RunRecord> {
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
  if (existing?.status === 'complete') return existing;

  const started = performance.now();
  const createdAt = existing?.createdAt ?? checkpoint?.state.createdAt ?? new Date().toISOString();
  onProgress?.({ type: 'phase', phase: 'load' });
  const backend = await prepareBackend(config.backend);
  const train = await loadSplit(config.dataset, 'train', { dataDir: config.dataDir, datasetDir: config.datasetDir, limit: config.trainLimit });
  const test = await loadSplit(config.dataset, 'test', { dataDir: config.dataDir, datasetDir: config.datasetDir, limit: config.testLimit });

  let history: HistoryEntry[] = checkpoint?.state.history ?? [];
  let trainSeconds = checkpoint?.state.trainSeconds ?? 0;
  let passes = { forward: checkpoint?.state.forwardPasses ?? 0, backward: checkpoint?.state.backwardPasses ?? 0 };
  // Wall time spent by earlier, interrupted invocations of this run.
  const priorSeconds = existing?.status === 'interrupted' ? existing.cost.seconds : 0;
  const base = { config, outDir, createdAt, backend, started, priorSeconds };
  const record = (status: RunRecord['status'], extra: { evaluation?: EvaluationRecord; evalSeconds?: number; error?: string } = {}) =>
    buildRecord({ ...base, status, history, trainSeconds, passes, ...extra });

  const model = buildLenet(config, config.seed);
  const optimizer = tf.train.adam(config.lr);
  const sources: tfl.LayersModel[] = [];
  try {
    checkDataFitsModel(model, train);
    checkDataFitsModel(model, test);
    if (checkpoint) await restoreCheckpoint(model, optimizer, checkpoint.directory);

    let precomputed: Float32Array | undefined;
    if (config.scenario !== 'clean' && config.adversarialSource === 'precomputed' && history.length < config.epochs) {
      onProgress?.({ type: 'phase', phase: 'precompute' });
      const source = await ensureSourceModel(config, 'precomputed', outDir, { signal, onProgress });
      if (!source) return await finish(runJson, record('interrupted'));
      sources.push(source);
      const craftStart = performance.now();
      precomputed = await precomputeAdversarials(source, train, config);
      // Crafting once is part of this method's training cost (the source model is shared, so not).
      trainSeconds += (performance.now() - craftStart) / 1000;
    }

    onProgress?.({ type: 'phase', phase: 'train' });
    for (let epoch = history.length + 1; epoch <= config.epochs; epoch += 1) {
      const outcome = await trainEpoch(model, optimizer, train, config, epoch, precomputed, options);
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
      history = [...history, outcome.entry];
      await writeCheckpoint(outDir, model, optimizer, {
        epoch,
        config,
        history,
        createdAt,
        trainSeconds,
        forwardPasses: passes.forward,
        backwardPasses: passes.backward,
      });
      onProgress?.({ type: 'epoch', entry: outcome.entry, epochs: config.epochs });
    }

    onProgress?.({ type: 'phase', phase: 'evaluate' });
    let transfer: tfl.LayersModel | undefined;
    if (config.evaluation.attacks.includes('transfer')) {
      transfer = await ensureSourceModel(config, 'transfer', outDir, { signal, onProgress });
      if (!transfer) return await finish(runJson, record('interrupted'));
      sources.push(transfer);
    }
    const evaluated = await evaluateModel(model, test, config.evaluation, { transferSource: transfer, seed: config.seed, signal });
    if (!evaluated) return await finish(runJson, record('interrupted'));

    onProgress?.({ type: 'phase', phase: 'save' });
    await writeDirectoryAtomic(join(outDir, 'model'), (directory) => saveModel(model, directory));
    // A classical LeNet is already made of plain layers: its folded form is the model itself.
    const folded = foldModel(model, config);
    try {
      await writeDirectoryAtomic(join(outDir, 'model-folded'), (directory) => saveModel(folded ?? model, directory));
    } finally {
      folded?.dispose();
    }
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

type EpochOutcome =
  | { kind: 'done'; entry: HistoryEntry; forward: number; backward: number }
  | { kind: 'interrupted' }
  | { kind: 'failed'; loss: number; batch: number };

/**
 * One epoch. Forward/backward passes are counted in examples and reported in batch-sized units:
 * crafting FGSM costs one forward and one backward pass per batch, PGD `steps` of each, and
 * training on a batch twice as large (mixed) two of each.
 */
async function trainEpoch(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  train: SplitData,
  config: TrainConfig,
  epoch: number,
  precomputed: Float32Array | undefined,
  options: TrainRunOptions,
): Promise<EpochOutcome> {
  const started = performance.now();
  const batches = batchCount(train, config.batchSize);
  const attack = config.scenario === 'clean' ? undefined : trainingAttack({ method: config.method, pgdSteps: config.pgdSteps, seed: deriveSeed(config.seed, epoch) });
  const craftPasses = config.method === 'pgd' ? config.pgdSteps : 1;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let forward = 0;
  let backward = 0;
  let batchIndex = 0;
  for (const batch of iterateBatches(train, { batchSize: config.batchSize, seed: deriveSeed(config.seed, epoch) })) {
    batchIndex += 1;
    if (options.signal?.aborted) return { kind: 'interrupted' };
    const { loss, hits, count } = tf.tidy(() => {
      const clean = imagesToTensor(batch.images, batch.count, train.rows, train.cols);
      const labels = labelTensor(batch.labels);
      let adversarial: tf.Tensor4D | undefined;
      if (attack && precomputed) {
        adversarial = precomputedBatch(precomputed, batch.indices, train);
      } else if (attack) {
        adversarial = attack.craft(model, clean, labels, config.attackEps);
        forward += batch.count * craftPasses;
        backward += batch.count * craftPasses;
      }
      const x = config.scenario === 'clean' ? clean : config.scenario === 'adversarial' ? adversarial! : tf.concat([clean, adversarial!]);
      const y = config.scenario === 'mixed' ? tf.concat([labels, labels]) : labels;
      const oneHot = tf.cast(tf.oneHot(y, 10), 'float32');
      let batchHits: tf.Scalar | undefined;
      const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
      // The APB layers move only in the backward pass of this training-mode call.
      const lossValue = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        batchHits = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, -1), y), 'float32')));
        return tf.losses.softmaxCrossEntropy(oneHot, logits) as unknown as tf.Scalar;
      }, true, variables)!;
      forward += x.shape[0];
      backward += x.shape[0];
      const result = { loss: lossValue.dataSync()[0]!, hits: batchHits!.dataSync()[0]!, count: x.shape[0] };
      batchHits!.dispose();
      return result;
    });
    if (!Number.isFinite(loss)) return { kind: 'failed', loss, batch: batchIndex };
    lossSum += loss * count;
    correct += hits;
    seen += count;
    options.onProgress?.({ type: 'batch', epoch, epochs: config.epochs, batch: batchIndex, batches, loss });
    // Lets SIGINT handlers and abort signals run between batches.
    await yieldToEventLoop();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'done',
    entry: { epoch, loss: lossSum / seen, trainAccuracy: correct / seen, seconds, imagesPerSecond: train.count / seconds },
    forward: forward / config.batchSize,
    backward: backward / config.batchSize,
  };
}

/** FGSM examples of the whole training split, crafted once on the source model (inference mode). */
async function precomputeAdversarials(source: tfl.LayersModel, train: SplitData, config: TrainConfig): Promise<Float32Array> {
  const size = train.rows * train.cols;
  const out = new Float32Array(train.count * size);
  const attack = trainingAttack({ method: 'standard', pgdSteps: 1, seed: config.seed });
  for (let start = 0; start < train.count; start += config.batchSize) {
    const count = Math.min(config.batchSize, train.count - start);
    const values = tf.tidy(() => {
      const images = imagesToTensor(train.images.subarray(start * size, (start + count) * size), count, train.rows, train.cols);
      return attack.craft(source, images, labelTensor(train.labels.subarray(start, start + count)), config.attackEps).dataSync();
    });
    out.set(values, start * size);
    await yieldToEventLoop();
  }
  return out;
}

function precomputedBatch(precomputed: Float32Array, indices: number[], train: SplitData): tf.Tensor4D {
  const size = train.rows * train.cols;
  const values = new Float32Array(indices.length * size);
  indices.forEach((index, i) => values.set(precomputed.subarray(index * size, (index + 1) * size), i * size));
  return tf.tensor4d(values, [indices.length, train.rows, train.cols, 1]);
}

function buildRecord(parts: {
  config: TrainConfig;
  outDir: string;
  createdAt: string;
  backend: BackendSummary;
  started: number;
  priorSeconds: number;
  status: RunRecord['status'];
  history: HistoryEntry[];
  trainSeconds: number;
  passes: { forward: number; backward: number };
  evaluation?: EvaluationRecord;
  evalSeconds?: number;
  error?: string;
}): RunRecord {
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
