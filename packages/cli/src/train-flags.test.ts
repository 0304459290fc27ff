import { evaluationAttackNames, resolveTrainConfig } from '@apb/scenarios';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { handleError } from './handle-error.js';
import { evalCommand } from './commands/eval.js';
import { trainCommand } from './commands/train.js';
import { configFromFlags, evaluationFlags, trainFlagOptions, trainFlags, trainFlagsSchema, type ConfigFlag } from './train-flags.js';

function parseArgs(args: string[]): Record<string, unknown> {
  const command = new Command('train').exitOverride();
  for (const option of trainFlagOptions()) command.addOption(option);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('the train flag table', () => {
  it('has a flag for every field of a resolved TrainConfig and its evaluation plan', () => {
    const config = resolveTrainConfig({});
    expect(Object.keys(trainFlags).sort()).toEqual(Object.keys(config).filter((key) => key !== 'evaluation').sort());
    expect(Object.keys(evaluationFlags).sort()).toEqual(Object.keys(config.evaluation).sort());
  });

  it('turns command-line strings into a config resolveTrainConfig accepts', () => {
    const flags = trainFlagsSchema.parse(
      parseArgs(['--dataset', 'fashion-mnist', '--model', 'lenet-apb', '--apb', 'multimodal', '--memories', '625', '--apb-eps', '0.02', '--epochs', '3', '--batch-size', '32', '--lr', '0.0005', '--eval-attacks', 'fgsm,pgd', '--eval-eps', '0.1,0.3']),
    );
    const config = resolveTrainConfig(configFromFlags(flags));
    expect(config).toMatchObject({ dataset: 'fashion-mnist', model: 'lenet-apb', apb: 'multimodal', memories: 625, apbEps: 0.02, epochs: 3, batchSize: 32, lr: 0.0005 });
    expect(config.evaluation.attacks).toEqual(['fgsm', 'pgd']);
    expect(config.evaluation.eps).toEqual([0.1, 0.3]);
  });

  it('leaves flags that were not given to the scenarios package defaults', () => {
    expect(configFromFlags(trainFlagsSchema.parse(parseArgs(['--epochs', '2'])))).toEqual({ epochs: 2 });
  });

  const badValues: Record<string, string> = {
    dataset: 'CIFAR 10', datasetDir: '', model: 'Res Net', apb: 'bimodal', memories: '-3', apbEps: '0', apbDirection: 'sideways', apbMode: 'sometimes', apbClip: 'abc', apbMemoryStep: 'huge',
    scenario: 'dirty', adversarialSource: 'cloud', method: 'trades', attackEps: '1.5', attackEpsRamp: '2', pgdSteps: '2.5', epochs: '0', batchSize: 'many', lr: '-0.1',
    seed: '-1', trainLimit: '0', testLimit: 'x', dataDir: '', backend: 'webgpu', preset: 'huge', sourcesDir: '',
  };
  const badEvaluation: Record<string, string> = {
    attacks: 'fgsm,cw', eps: '0.1,2', limit: '0', pgdSteps: 'x', pgdRestarts: '0', pgdLimit: '-5', squareQueries: '1.5', squareLimit: 'none', diagnostics: 'maybe', diagnosticsLimit: '0', transferSeed: '-2', transferEpochs: '0', checkpoints: '1,0',
  };

  it('has a bad-value example for every flag', () => {
    expect(Object.keys(badValues).sort()).toEqual(Object.keys(trainFlags).sort());
    expect(Object.keys(badEvaluation).sort()).toEqual(Object.keys(evaluationFlags).sort());
  });

  const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const cases = [
    ...Object.entries(badValues).map(([key, value]) => [flagOf(key), value] as const),
    ...Object.entries(badEvaluation).map(([key, value]) => [flagOf(`eval${key[0]!.toUpperCase()}${key.slice(1)}`), value] as const),
  ];
  it.each(cases)('rejects a bad %s (%s) with one line naming the flag', (flag, value) => {
    const result = trainFlagsSchema.safeParse(parseArgs([`${flag}=${value}`]));
    expect(result.success).toBe(false);
    const lines: string[] = [];
    expect(handleError(result.error, { write: (line) => lines.push(line) })).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^apb: ${flag}(\\.\\d+)?: `));
  });
});

describe('one name and one default per option', () => {
  const shown = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));

  it('shows in --help exactly the defaults of the scenarios schemas, for every option that has one', () => {
    const config = resolveTrainConfig({});
    const check = (table: Record<string, ConfigFlag>, values: Record<string, unknown>) => {
      for (const [key, flag] of Object.entries(table)) {
        const value = values[key];
        // null and empty defaults (all images, none, the run's seed + 1000 ...) are described in words instead.
        if (value === null || (Array.isArray(value) && value.length === 0) || key === 'apb') expect(flag.default, key).toBeUndefined();
        else expect(flag.default, key).toBe(shown(value));
      }
    };
    check(trainFlags, config);
    check(evaluationFlags, config.evaluation);
    // The attack list of --help is the registry's, not a copy.
    expect(evaluationFlags.attacks.description).toContain(evaluationAttackNames().join(','));
  });

  it('names every evaluation option of apb eval as apb train does, with the same default in --help', () => {
    const help = (command: Command) => new Map(command.options.filter((option) => !option.hidden).map((option) => [option.long, option.description]));
    const train = help(trainCommand());
    const evaluate = help(evalCommand());
    const shared = [...evaluate.keys()].filter((flag) => flag?.startsWith('--eval-'));
    expect(shared).toEqual(['--eval-attacks', '--eval-eps', '--eval-pgd-steps', '--eval-pgd-restarts', '--eval-pgd-limit', '--eval-square-queries', '--eval-square-limit', '--eval-diagnostics', '--eval-diagnostics-limit']);
    for (const flag of shared) {
      const defaultOf = (description: string | undefined) => /\(default: ([^)]*)\)$/.exec(description ?? '')?.[1];
      expect(defaultOf(evaluate.get(flag)), flag).toBe(defaultOf(train.get(flag)));
      expect(defaultOf(train.get(flag)), flag).toBeDefined();
    }
    for (const flag of ['--test-limit', '--seed', '--backend']) expect(train.has(flag) && evaluate.has(flag), flag).toBe(true);
    expect(evaluate.has('--pgd-steps') || evaluate.has('--no-diagnostics') || evaluate.has('--diagnostics-subset')).toBe(false);
  });
});

