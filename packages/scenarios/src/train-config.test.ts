import { describe, expect, it } from 'vitest';
import { datasetNameForFolder, recordedTrainConfigSchema, resolveTrainConfig, runIdFor, type TrainConfigInput } from './train-config.js';

describe('resolveTrainConfig', () => {
  it('names custom data after its folder unless a dataset name is given', () => {
    expect(resolveTrainConfig({ datasetDir: '/data/My_Digits v2/' }).dataset).toBe('my-digits-v2');
    expect(resolveTrainConfig({ datasetDir: '/data/My_Digits', dataset: 'digits' }).dataset).toBe('digits');
    expect(datasetNameForFolder('/data/__')).toBeUndefined();
    expect(() => resolveTrainConfig({ datasetDir: '/data/__' })).toThrow(/cannot name the data set after the folder/);
  });

  it('fills in every default, naive APB for lenet-apb included', () => {
    const config = resolveTrainConfig({ model: 'lenet-apb' });
    expect(config).toMatchObject({ dataset: 'mnist', apb: 'naive', memories: 0, scenario: 'clean', adversarialSource: 'online', method: 'standard', attackEps: 0.3, seed: 1 });
    expect(config.evaluation.attacks).toEqual(['fgsm', 'pgd', 'transfer', 'square']);
    expect(resolveTrainConfig(config)).toEqual(config);
  });

  it.each([
    [{ lr: -1 }, /"lr"/],
    [{ epochs: 1.5 }, /"epochs"/],
    [{ scenario: 'noisy' }, /"scenario"/],
    [{ model: 'resnet' }, /"model".*not a registered model/],
    [{ model: 'Le Net' }, /"model"/],
    [{ model: 'lenet-apb', apb: 'multimodal' }, /"memories"/],
    [{ scenario: 'clean', method: 'pgd' }, /"scenario"/],
    [{ scenario: 'adversarial', method: 'fast', adversarialSource: 'precomputed' }, /"adversarialSource"/],
    [{ dataset: 'cifar' }, /"dataset"/],
    [{ evaluation: { transferSeed: 1 } }, /"evaluation\.transferSeed"/],
    [{ attackEpsRamp: 0.5 }, /"attackEpsRamp".*crafted during training/],
    [{ scenario: 'adversarial', adversarialSource: 'precomputed', attackEpsRamp: 0.5 }, /"attackEpsRamp"/],
    [{ attackEpsRamp: 1.5 }, /"attackEpsRamp"/],
    [{ evaluation: { checkpoints: [0] } }, /"evaluation\.checkpoints\.0"/],
    [{ unknownOption: 1 }, /Invalid training option/],
  ])('rejects %j with a one-line BAD_CONFIG error naming the option', (input, message) => {
    expect(() => resolveTrainConfig(input as never)).toThrow(message);
    try {
      resolveTrainConfig(input as never);
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_CONFIG' });
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('stores LeNet with an APB as lenet-apb whichever spelling asked for it, so ids and run.json stay as before', () => {
    const newSpelling = resolveTrainConfig({ model: 'lenet', apb: 'naive' });
    expect(newSpelling).toEqual(resolveTrainConfig({ model: 'lenet-apb' }));
    expect(newSpelling.model).toBe('lenet-apb');
    expect(resolveTrainConfig({ apb: 'multimodal', memories: 625 })).toEqual(resolveTrainConfig({ model: 'lenet-apb', apb: 'multimodal', memories: 625 }));
    expect(runIdFor(resolveTrainConfig({ model: 'lenet', apb: 'multimodal', memories: 4 }))).toBe('mnist-clean-apb-multimodal-h4-s1');
    expect(resolveTrainConfig({ model: 'lenet' }).apb).toBeNull();
  });

  it('gives stable ids that name data set, scenario, method, model and seed', () => {
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb' }))).toBe('mnist-clean-apb-naive-s1');
    expect(runIdFor(resolveTrainConfig({ dataset: 'fashion-mnist', scenario: 'adversarial', method: 'pgd', seed: 2 }))).toBe('fashion-mnist-adversarial-pgd-at-classical-s2');
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb', apb: 'multimodal', memories: 625, scenario: 'mixed', adversarialSource: 'precomputed' }))).toBe(
      'mnist-mixed-precomputed-apb-multimodal-h625-s1',
    );
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb', apb: 'multimodal', memories: 625, apbMemoryStep: 'fixed' }))).toBe('mnist-clean-apb-multimodal-h625-fixed-step-s1');
    // Options that vary only in our studies enter the id only away from the paper's setting.
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb', apbEps: 0.1 }))).toBe('mnist-clean-apb-naive-eps0.1-s1');
    expect(runIdFor(resolveTrainConfig({ scenario: 'adversarial', method: 'pgd', attackEpsRamp: 0.5 }))).toBe('mnist-adversarial-pgd-at-ramp0.5-classical-s1');
  });

  it('uses the budgeted multimodal memory step unless told otherwise', () => {
    expect(resolveTrainConfig({}).apbMemoryStep).toBe('budgeted');
    expect(resolveTrainConfig({ apbMemoryStep: 'fixed' }).apbMemoryStep).toBe('fixed');
    expect(() => resolveTrainConfig({ apbMemoryStep: 'large' } as never)).toThrow(/"apbMemoryStep"/);
  });
});

describe('recordedTrainConfigSchema', () => {
  const recordedBefore = (config: TrainConfigInput): Record<string, unknown> => {
    const { apbMemoryStep: _dropped, ...rest } = resolveTrainConfig(config);
    return rest;
  };

  it('reads a multimodal run.json written before apbMemoryStep existed as the fixed step it was trained with', () => {
    const read = recordedTrainConfigSchema.parse(recordedBefore({ model: 'lenet-apb', apb: 'multimodal', memories: 625 }));
    expect(read.apbMemoryStep).toBe('fixed');
  });

  it('reads other old runs as the default, in the same key order, so a reproduction does not retrain them', () => {
    const configs: TrainConfigInput[] = [{}, { model: 'lenet-apb' }];
    for (const config of configs) {
      const read = recordedTrainConfigSchema.parse(recordedBefore(config));
      expect(JSON.stringify(read)).toBe(JSON.stringify(resolveTrainConfig(config)));
    }
  });

  it('keeps a recorded memory step', () => {
    const config = resolveTrainConfig({ model: 'lenet-apb', apb: 'multimodal', memories: 4, apbMemoryStep: 'budgeted' });
    expect(recordedTrainConfigSchema.parse(config).apbMemoryStep).toBe('budgeted');
  });
});
