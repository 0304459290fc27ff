import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costRatio, type CostRatio } from './cost.js';
import type { RunRecord } from './run-record.js';
import type { TrainConfigInput } from './train-config.js';
import { trainRun } from './train-run.js';

/** Options of {@link measureTrainingCost}. */
export interface MeasureTrainingCostOptions {
  dataset?: string;
  dataDir?: string;
  /** Training images per measured epoch. Default 10,000. */
  trainLimit?: number;
  backend?: TrainConfigInput['backend'];
  batchSize?: number;
  log?: (line: string) => void;
}

/** One measured epoch. */
export interface MeasuredEpoch {
  id: string;
  secondsPerEpoch: number;
  imagesPerSecond: number;
  passesPerEpoch: number;
}

/** What {@link measureTrainingCost} found. */
export interface TrainingCost {
  backend: RunRecord['backend'];
  epochs: MeasuredEpoch[];
  /** APB naive on clean data over online FGSM adversarial training (adversarial examples only). */
  apbCleanOverAdversarial: CostRatio;
  /** APB naive on clean data over online FGSM training on clean + adversarial examples (the paper's "one adversarial example per clean example"). */
  apbCleanOverMixed: CostRatio;
}

/**
 * Measures the paper's cost claim on this machine: one epoch each of classical and APB training on
 * clean data and of online FGSM adversarial and mixed training, same data, batch size and backend,
 * then {@link costRatio}. For `apb bench` (speed figures live in benchmarks, not tests).
 */
export async function measureTrainingCost(options: MeasureTrainingCostOptions = {}): Promise<TrainingCost> {
  const directory = await mkdtemp(join(tmpdir(), 'apb-training-cost-'));
  const base: TrainConfigInput = {
    dataset: options.dataset ?? 'mnist',
    trainLimit: options.trainLimit ?? 10_000,
    testLimit: 100,
    epochs: 1,
    batchSize: options.batchSize ?? 128,
    backend: options.backend ?? 'auto',
    evaluation: { attacks: [], diagnostics: false },
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  };
  const variants: [string, TrainConfigInput][] = [
    ['classical-clean', { model: 'lenet' }],
    ['apb-naive-clean', { model: 'lenet-apb' }],
    ['classical-fgsm-adversarial', { model: 'lenet', scenario: 'adversarial' }],
    ['classical-fgsm-mixed', { model: 'lenet', scenario: 'mixed' }],
  ];
  try {
    const records: RunRecord[] = [];
    for (const [name, input] of variants) {
      const record = await trainRun({ ...base, ...input }, { outDir: join(directory, name) });
      options.log?.(`scenarios: ${name} ${record.history[0]!.seconds.toFixed(1)} s/epoch, ${record.history[0]!.imagesPerSecond.toFixed(0)} images/s`);
      records.push(record);
    }
    const [, apb, adversarial, mixed] = records as [RunRecord, RunRecord, RunRecord, RunRecord];
    return {
      backend: apb.backend,
      epochs: records.map((record) => ({
        id: record.id,
        secondsPerEpoch: record.history[0]!.seconds,
        imagesPerSecond: record.history[0]!.imagesPerSecond,
        passesPerEpoch: record.cost.passesPerEpoch,
      })),
      apbCleanOverAdversarial: costRatio(apb, adversarial),
      apbCleanOverMixed: costRatio(apb, mixed),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
