import { describe, expect, it } from 'vitest';
import { datasetNameForFolder, resolveTrainConfig, runIdFor } from './train-config.js';

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
    [{ apb: 'naive' }, /"apb".*lenet-apb/],
    [{ model: 'lenet-apb', apb: 'multimodal' }, /"memories"/],
    [{ scenario: 'clean', method: 'pgd' }, /"scenario"/],
    [{ scenario: 'adversarial', method: 'fast', adversarialSource: 'precomputed' }, /"adversarialSource"/],
    [{ dataset: 'cifar' }, /"dataset"/],
    [{ evaluation: { transferSeed: 1 } }, /"evaluation\.transferSeed"/],
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

  it('gives stable ids that name data set, scenario, method, model and seed', () => {
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb' }))).toBe('mnist-clean-apb-naive-s1');
    expect(runIdFor(resolveTrainConfig({ dataset: 'fashion-mnist', scenario: 'adversarial', method: 'pgd', seed: 2 }))).toBe('fashion-mnist-adversarial-pgd-at-classical-s2');
    expect(runIdFor(resolveTrainConfig({ model: 'lenet-apb', apb: 'multimodal', memories: 625, scenario: 'mixed', adversarialSource: 'precomputed' }))).toBe(
      'mnist-mixed-precomputed-apb-multimodal-h625-s1',
    );
  });
});
