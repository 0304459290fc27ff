// End to end with the paper's model: attacks must never move an APB LeNet's perturbation bias.
import * as tf from '@tensorflow/tfjs-core';
import { lenet, trainStep } from '@apb/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAttack, ATTACK_NAMES } from './create-attack.js';
import { evaluateRobustness } from './evaluate-robustness.js';
import { createRng } from '@apb/core';
import { snapshotWeights, useCpu } from './testing-internal/tiny-model.js';

beforeAll(useCpu);

const cheap: Record<string, Record<string, unknown>> = {
  pgd: { steps: 2, restarts: 2 },
  square: { queries: 4 },
};

describe.each([{ kind: 'naive' as const }, { kind: 'multimodal' as const, memories: 4 }])('APB LeNet ($kind)', (apb) => {
  it('keeps every weight and the APB bit-for-bit under every attack and an evaluation', async () => {
    const model = lenet({ apb, seed: 3 });
    const images = tf.tensor4d(createRng(1).uniform(4 * 784, 0, 1), [4, 28, 28, 1]);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    // One training step first, so the APB holds a non-trivial value that an attack could move.
    trainStep(model, tf.train.sgd(0.01), images, labels);
    const before = snapshotWeights(model);
    expect(before.some((w) => w.some((v) => v !== 0))).toBe(true);
    for (const name of ATTACK_NAMES) {
      const params = name === 'transfer' ? { source: model, attack: 'fgsm' } : (cheap[name] ?? {});
      const attack = createAttack(name, params);
      const outputs = await attack.run(model, images, labels, { epsilons: [0.3] });
      tf.dispose(outputs.flatMap((o) => [o.raw, o.clipped, o.success]));
      attack.craft(model, images, labels, 0.3).dispose();
      expect(snapshotWeights(model), name).toEqual(before);
    }
    await evaluateRobustness(model, { images, labels: Int32Array.from([0, 1, 2, 3]) }, [createAttack('fgsm')], {
      epsilons: [0.3],
      diagnosticsSubset: 4,
    });
    expect(snapshotWeights(model)).toEqual(before);
    // The check can fail: an input gradient through a training-mode call does move the APB.
    tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(model.apply(x, { training: true }) as tf.Tensor))(images));
    expect(snapshotWeights(model)).not.toEqual(before);
    tf.dispose([images, labels]);
    model.dispose();
  });
});
