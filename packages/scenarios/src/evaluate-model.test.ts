import { initBackend } from '@apb/backend';
import { lenet } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, beforeAll } from 'vitest';
import { evaluateModel } from './evaluate-model.js';
import type { SplitData } from './internal/training-data.js';
import { evaluationPlanSchema } from './train-config.js';

const test: SplitData = {
  name: 'synthetic',
  split: 'test',
  count: 30,
  rows: 28,
  cols: 28,
  images: Uint8Array.from({ length: 30 * 784 }, (_, i) => (i * 37) % 256),
  labels: Uint8Array.from({ length: 30 }, (_, i) => i % 10),
};

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('evaluateModel', () => {
  it('runs the planned attacks on their seeded subsets without leaking tensors', async () => {
    const model = lenet({ seed: 1 });
    const plan = evaluationPlanSchema.parse({ attacks: ['fgsm', 'pgd'], eps: [0.1, 0.3], pgdSteps: 2, pgdRestarts: 1, pgdLimit: 10, diagnostics: false });
    const before = tf.memory().numTensors;
    const result = await evaluateModel(model, test, plan, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result!.evaluation.attacks.map((attack) => [attack.attack, attack.eps, attack.n])).toEqual([
      ['fgsm', 0.1, 30],
      ['fgsm', 0.3, 30],
      ['pgd', 0.1, 10],
      ['pgd', 0.3, 10],
    ]);
    expect(result!.evaluation.clean.n).toBe(30);
    model.dispose();
  });

  it('returns undefined when its signal is aborted', async () => {
    const model = lenet({ seed: 1 });
    const controller = new AbortController();
    controller.abort();
    const plan = evaluationPlanSchema.parse({ attacks: ['fgsm'], diagnostics: false });
    expect(await evaluateModel(model, test, plan, { seed: 1, signal: controller.signal })).toBeUndefined();
    model.dispose();
  });

  it('asks for a transfer source when the plan has the transfer attack', async () => {
    const model = lenet({ seed: 1 });
    const plan = evaluationPlanSchema.parse({ attacks: ['transfer'], diagnostics: false });
    await expect(evaluateModel(model, test, plan, { seed: 1 })).rejects.toMatchObject({ code: 'TRANSFER_SOURCE_MISSING' });
    model.dispose();
  });
});
