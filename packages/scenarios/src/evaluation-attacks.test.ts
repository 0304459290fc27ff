import { Attack, type Classifier } from '@apb/attacks';
import { initBackend } from '@apb/backend';
import { lenet } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attacksForPlan,
  evaluateModel,
  evaluationAttackFamily,
  evaluationAttackNames,
  evaluationPlanSchema,
  registerEvaluationAttack,
  resolveTrainConfig,
  unregisterEvaluationAttack,
} from './index.js';
import type { SplitData } from './internal/training-data.js';

/** Moves every pixel eps towards mid-grey: a deterministic attack whose effect can be recomputed by hand. */
class TowardGrey extends Attack {
  readonly name = 'toward-grey';
  readonly params = { direction: 'grey' };
  constructor() {
    super();
  }
  protected perturb(_model: Classifier, images: tf.Tensor4D, _labels: tf.Tensor1D, eps: number): tf.Tensor4D {
    return tf.add(images, tf.mul(tf.sign(tf.sub(0.5, images)), eps));
  }
}

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
  registerEvaluationAttack({ name: 'toward-grey', family: 'grey', description: 'pixels towards grey, for this test', subsetLimit: (plan) => plan.squareLimit, build: () => new TowardGrey() });
});
afterAll(() => {
  unregisterEvaluationAttack('toward-grey');
});

describe('the evaluation-attack registry', () => {
  it('runs an attack added through registerEvaluationAttack in evaluateModel, with the accuracy computed by hand', async () => {
    const model = lenet({ seed: 4 });
    const plan = evaluationPlanSchema.parse({ attacks: ['toward-grey'], eps: [0.3], squareLimit: null, diagnostics: false });
    const result = await evaluateModel(model, test, plan, { seed: 1 });
    const [recorded] = result!.evaluation.attacks;
    expect(recorded).toMatchObject({ attack: 'toward-grey', eps: 0.3, n: 30, params: { direction: 'grey' } });
    const [clean, perturbed] = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(test.images, [30, 28, 28, 1], 'float32'), 255);
      const adversarial = tf.clipByValue(tf.add(x, tf.mul(tf.sign(tf.sub(0.5, x)), 0.3)), 0, 1);
      return [x, adversarial].map((images) => Array.from(tf.argMax(model.predict(images) as tf.Tensor2D, -1).dataSync()));
    });
    // The attack moves predictions, so an evaluation that skipped it would not match.
    expect(perturbed).not.toEqual(clean);
    const correct = perturbed!.filter((predicted, i) => predicted === test.labels[i]).length;
    expect(recorded!.accuracy).toBeCloseTo(correct / 30, 12);
    model.dispose();
  });

  it('runs it on the fixed subset its definition sizes from the plan', async () => {
    const model = lenet({ seed: 4 });
    const plan = evaluationPlanSchema.parse({ attacks: ['fgsm', 'toward-grey'], eps: [0.3], squareLimit: 12, diagnostics: false });
    const result = await evaluateModel(model, test, plan, { seed: 1 });
    expect(result!.evaluation.attacks.map((attack) => [attack.attack, attack.n])).toEqual([
      ['fgsm', 30],
      ['toward-grey', 12],
    ]);
    model.dispose();
  });

  it('makes the new name valid in training configurations and gives its report family', () => {
    expect(evaluationAttackNames()).toEqual(['fgsm', 'fgsm-margin', 'pgd', 'pgd-margin', 'transfer', 'transfer-pgd', 'transfer-fgsm', 'square', 'noise', 'toward-grey']);
    expect(resolveTrainConfig({ evaluation: { attacks: ['toward-grey'] } }).evaluation.attacks).toEqual(['toward-grey']);
    expect(evaluationAttackFamily('toward-grey')).toBe('grey');
    expect(evaluationAttackFamily('pgd-margin')).toBe('pgd-margin');
    expect(() => resolveTrainConfig({ evaluation: { attacks: ['cw'] } })).toThrow(/"evaluation\.attacks\.0": "cw" is not a registered evaluation attack/);
    expect(() => registerEvaluationAttack({ name: 'pgd', description: 'again', build: () => new TowardGrey() })).toThrow(/already registered/);
  });

  it('builds the built-in attacks with the plan budgets', () => {
    const plan = evaluationPlanSchema.parse({ attacks: ['fgsm-margin', 'pgd', 'square', 'noise'], pgdSteps: 7, pgdRestarts: 3, squareQueries: 50 });
    expect(attacksForPlan(plan, 5).map((attack) => [attack.name, attack.params])).toEqual([
      ['fgsm-margin', expect.objectContaining({ loss: 'margin' })],
      ['pgd', expect.objectContaining({ steps: 7, restarts: 3, seed: 5 })],
      ['square', expect.objectContaining({ queries: 50, seed: 5 })],
      ['noise', { seed: 5 }],
    ]);
  });
});
