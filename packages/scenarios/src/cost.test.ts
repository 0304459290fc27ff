import { describe, expect, it } from 'vitest';
import { costRatio } from './cost.js';
import { RUN_SCHEMA_VERSION, type RunRecord } from './run-record.js';
import { resolveTrainConfig, type TrainConfigInput } from './train-config.js';

const run = (input: TrainConfigInput, epochSeconds: number[], passesPerEpoch: number): RunRecord => {
  const config = resolveTrainConfig({ dataset: 'fashion-mnist', ...input });
  return {
    schemaVersion: RUN_SCHEMA_VERSION,
    id: 'x',
    status: 'complete',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    seed: 1,
    config,
    backend: { name: 'wasm', threads: 1, simd: true, notes: [] },
    versions: {},
    machine: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', memoryGiB: 8 },
    history: epochSeconds.map((seconds, i) => ({ epoch: i + 1, loss: 1, trainAccuracy: 0.5, seconds, imagesPerSecond: 1 })),
    cost: { seconds: 0, trainSeconds: 0, evalSeconds: 0, imagesPerSecond: 0, forwardPasses: passesPerEpoch / 2, backwardPasses: passesPerEpoch / 2, passesPerEpoch },
  };
};

describe('costRatio', () => {
  it('divides training seconds per epoch and passes per epoch of the clean APB run by those of the FGSM run', () => {
    const apb = run({ model: 'lenet-apb' }, [10, 14], 938);
    const fgsm = run({ scenario: 'mixed' }, [40, 40, 40], 2814);
    expect(costRatio(apb, fgsm)).toEqual({ timeRatio: 12 / 40, passRatio: 938 / 2814, apbSecondsPerEpoch: 12, fgsmSecondsPerEpoch: 40 });
  });

  it('refuses pairs that do not measure the claim', () => {
    const apb = run({ model: 'lenet-apb' }, [10], 2);
    expect(() => costRatio(run({}, [10], 2), run({ scenario: 'adversarial' }, [20], 4))).toThrow(/not an APB run trained on clean data/);
    expect(() => costRatio(apb, run({ scenario: 'adversarial', method: 'pgd' }, [20], 4))).toThrow(/not an FGSM adversarial training run/);
    expect(() => costRatio(apb, run({ scenario: 'adversarial', dataset: 'mnist' }, [20], 4))).toThrow(/differ in data set/);
  });
});
