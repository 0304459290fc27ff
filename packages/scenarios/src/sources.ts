import type * as tfl from '@tensorflow/tfjs-layers';
import { dirname, join } from 'node:path';
import { buildLenet } from './internal/model-factory.js';
import { readWeightsInto } from './model-files.js';
import { isRunHeldError, waitForRelease } from './run-lease.js';
import { tryReadRunRecord } from './run-record-io.js';
import { evaluationPlanSchema, resolveTrainConfig, runIdFor, type TrainConfig } from './train-config.js';
import type { TrainProgress, TrainRunOptions } from './train-run.js';

/**
 * The two classical LeNets other runs depend on: `precomputed` (same seed as the run; the paper's
 * fixed FGSM examples are crafted on it) and `transfer` (another seed; the black-box attack's
 * surrogate).
 */
export type SourceKind = 'precomputed' | 'transfer';

/** The configuration of a source model: a classical LeNet trained on clean data, evaluated clean only. */
export function sourceConfigFor(config: TrainConfig, kind: SourceKind): TrainConfig {
  const seed = kind === 'precomputed' ? config.seed : (config.evaluation.transferSeed ?? config.seed + 1000);
  const epochs = kind === 'transfer' ? (config.evaluation.transferEpochs ?? config.epochs) : config.epochs;
  return resolveTrainConfig({
    ...config,
    model: 'lenet',
    apb: null,
    memories: 0,
    scenario: 'clean',
    adversarialSource: 'online',
    method: 'standard',
    seed,
    epochs,
    evaluation: evaluationPlanSchema.parse({ attacks: [], eps: config.evaluation.eps, limit: config.evaluation.limit, diagnostics: false }),
  });
}

/** Where sibling runs share the folder of a source: `<sourcesDir or outDir/..>/sources/<id>-e<epochs>-n<limit>`. */
export function sourceDirectoryFor(config: TrainConfig, kind: SourceKind, outDir: string): string {
  const source = sourceConfigFor(config, kind);
  const root = config.sourcesDir ?? join(dirname(outDir), 'sources');
  return join(root, `${runIdFor(source)}-e${source.epochs}-n${source.trainLimit ?? 'all'}`);
}

/**
 * The trained source model of `config`: read from its shared folder when a sibling run already
 * trained it, else trained there now (resuming if a previous attempt was interrupted). When another
 * process is training it, waits for that one instead of training it twice. Returns undefined when
 * `signal` stopped the training or the wait.
 */
export async function ensureSourceModel(
  config: TrainConfig,
  kind: SourceKind,
  outDir: string,
  options: Pick<TrainRunOptions, 'signal' | 'onProgress'>,
): Promise<tfl.LayersModel | undefined> {
  const directory = sourceDirectoryFor(config, kind, outDir);
  const source = sourceConfigFor(config, kind);
  let record = await tryReadRunRecord(join(directory, 'run.json'));
  while (record?.status !== 'complete') {
    const { trainRun } = await import('./train-run.js');
    const onProgress = options.onProgress;
    try {
      record = await trainRun(source, {
        outDir: directory,
        resume: true,
        signal: options.signal,
        onProgress: onProgress && ((event: TrainProgress) => onProgress({ ...event, source: kind })),
      });
    } catch (error) {
      if (!isRunHeldError(error)) throw error;
      onProgress?.({ type: 'phase', phase: 'load', detail: `waiting for ${directory}, which another process is training`, source: kind });
      if (!(await waitForRelease(directory, { signal: options.signal }))) return undefined;
      // The holder may have finished it, or stopped; the loop trains what it left, if anything.
      record = await tryReadRunRecord(join(directory, 'run.json'));
      continue;
    }
    if (record.status !== 'complete') return undefined;
  }
  const model = buildLenet(source, source.seed);
  await readWeightsInto(model, join(directory, 'model'));
  return model;
}
