import type * as tfl from '@tensorflow/tfjs-layers';
import { dirname, join } from 'node:path';
import { buildModel } from './internal/model-factory.js';
import { readWeightsInto } from './model-files.js';
import type { SourceKind } from './train-progress.js';
import { evaluationPlanSchema, resolveTrainConfig, runIdFor, type TrainConfig } from './train-config.js';

export type { SourceKind } from './train-progress.js';

/**
 * The configuration of a source model: a classical LeNet trained on clean data, evaluated clean
 * only. `precomputed` keeps the run's seed (the paper's fixed FGSM examples are crafted on it);
 * `transfer` takes another seed (the black-box attack's surrogate).
 */
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
    attackEpsRamp: 0,
    seed,
    epochs,
    evaluation: evaluationPlanSchema.parse({ attacks: [], eps: config.evaluation.eps, limit: config.evaluation.limit, diagnostics: false }),
  });
}

/** The folder name of a source model: `<id>-e<epochs>-n<limit>`, the same for every run sharing it. */
export function sourceFolderName(config: TrainConfig, kind: SourceKind): string {
  const source = sourceConfigFor(config, kind);
  return `${runIdFor(source)}-e${source.epochs}-n${source.trainLimit ?? 'all'}`;
}

/** Where sibling runs share the folder of a source by default: `<sourcesDir or outDir/..>/sources/<folder>`. */
export function sourceDirectoryFor(config: TrainConfig, kind: SourceKind, outDir: string): string {
  return join(config.sourcesDir ?? join(dirname(outDir), 'sources'), sourceFolderName(config, kind));
}

/** Reads the trained source model of `config` from `directory` (a complete run's folder). */
export async function readSourceModel(config: TrainConfig, kind: SourceKind, directory: string): Promise<tfl.LayersModel> {
  const source = sourceConfigFor(config, kind);
  const model = buildModel(source, source.seed);
  try {
    await readWeightsInto(model, join(directory, 'model'));
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
