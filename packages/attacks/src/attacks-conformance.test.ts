// Properties every attack must have, checked on one small trained model for each attack.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attack } from './attack.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfFgsmRandomStart } from './linf-fgsm-random-start.js';
import { LinfPgd } from './linf-pgd.js';
import { LinfSquare } from './linf-square.js';
import { RandomNoise } from './random-noise.js';
import { Transfer } from './transfer.js';
import { snapshotWeights, syntheticTensors, tinyMlp, trainedTinyMlp, useCpu } from './testing-internal/tiny-model.js';

let model: tfl.LayersModel;
let source: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: tf.Tensor1D;

const makers: [string, () => Attack][] = [
  ['LinfFgsm', () => new LinfFgsm()],
  ['LinfPgd', () => new LinfPgd({ steps: 5, restarts: 2, seed: 3 })],
  ['LinfFgsmRandomStart', () => new LinfFgsmRandomStart({ seed: 3 })],
  ['LinfSquare', () => new LinfSquare({ queries: 30, seed: 3 })],
  ['RandomNoise', () => new RandomNoise({ seed: 3 })],
  ['Transfer', () => new Transfer({ source, attack: new LinfPgd({ steps: 3 }) })],
];

beforeAll(async () => {
  await useCpu();
  model = await trainedTinyMlp(1);
  source = await trainedTinyMlp(5);
  ({ images, labels } = syntheticTensors(30, 11));
});

afterAll(() => {
  tf.dispose([images, labels]);
  model.dispose();
  source.dispose();
});

describe.each(makers)('%s', (_name, make) => {
  it('keeps every adversarial within eps of its input and inside [0, 1]', async () => {
    const epsilons = [0.05, 0.3, 1];
    const outputs = await make().run(model, images, labels, { epsilons });
    expect(outputs.map((o) => o.eps)).toEqual(epsilons);
    const x0 = images.dataSync();
    for (const output of outputs) {
      expect(output.clipped.shape).toEqual(images.shape);
      expect(output.success.dtype).toBe('bool');
      const x = output.clipped.dataSync();
      let distance = 0;
      let low = Infinity;
      let high = -Infinity;
      x.forEach((v, i) => {
        distance = Math.max(distance, Math.abs(v - (x0[i] as number)));
        low = Math.min(low, v);
        high = Math.max(high, v);
      });
      expect(distance).toBeLessThanOrEqual(output.eps + 1e-6);
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(1);
      tf.dispose([output.raw, output.clipped, output.success]);
    }
  });

  it('returns the clean inputs and the clean mistakes at eps 0', async () => {
    const [output] = await make().run(model, images, labels, { epsilons: [0] });
    if (output === undefined) throw new Error('no output');
    expect(Array.from(output.clipped.dataSync())).toEqual(Array.from(images.dataSync()));
    const cleanWrong = tf.tidy(() =>
      tf.notEqual(tf.argMax(model.apply(images) as tf.Tensor2D, -1), labels).dataSync(),
    );
    expect(Array.from(output.success.dataSync())).toEqual(Array.from(cleanWrong));
    tf.dispose([output.raw, output.clipped, output.success]);
  });

  it('marks success exactly where the model misclassifies the clipped adversarial', async () => {
    const [output] = await make().run(model, images, labels, { epsilons: [0.3] });
    if (output === undefined) throw new Error('no output');
    const expected = tf.tidy(() =>
      tf.notEqual(tf.argMax(model.apply(output.clipped) as tf.Tensor2D, -1), labels).dataSync(),
    );
    expect(Array.from(output.success.dataSync())).toEqual(Array.from(expected));
    tf.dispose([output.raw, output.clipped, output.success]);
  });

  it('leaves the model weights bit-for-bit unchanged', async () => {
    const before = snapshotWeights(model);
    const outputs = await make().run(model, images, labels, { epsilons: [0.3] });
    tf.dispose(outputs.flatMap((o) => [o.raw, o.clipped, o.success]));
    make().craft(model, images, labels, 0.3).dispose();
    expect(snapshotWeights(model)).toEqual(before);
  });

  it('leaks no tensors in run (once disposed) or craft', async () => {
    const attack = make();
    // The first call may create lasting kernels' state; count from the second.
    tf.dispose(attack.craft(model, images, labels, 0.2));
    const before = tf.memory().numTensors;
    const outputs = await attack.run(model, images, labels, { epsilons: [0, 0.2] });
    expect(tf.memory().numTensors).toBe(before + 6);
    tf.dispose(outputs.flatMap((o) => [o.raw, o.clipped, o.success]));
    expect(tf.memory().numTensors).toBe(before);
    const crafted = attack.craft(model, images, labels, 0.2);
    expect(tf.memory().numTensors).toBe(before + 1);
    crafted.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('repeats a run exactly with a fresh attack of the same seed', async () => {
    const a = make().craft(model, images, labels, 0.2);
    const b = make().craft(model, images, labels, 0.2);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('rejects a negative, NaN or too large eps naming the option', async () => {
    const attack = make();
    for (const eps of [-0.1, Number.NaN, 1.5]) {
      await expect(attack.run(model, images, labels, { epsilons: [eps] })).rejects.toThrow(/"epsilons"/);
      expect(() => attack.craft(model, images, labels, eps)).toThrow(/"eps"/);
    }
    await expect(attack.run(model, images, labels, { epsilons: [] })).rejects.toThrow(/"epsilons"/);
  });

  it('works on a function classifier as well as a LayersModel', async () => {
    const untrained = tinyMlp(9);
    const asFunction = (x: tf.Tensor4D): tf.Tensor2D => untrained.apply(x) as tf.Tensor2D;
    const a = make().craft(untrained, images, labels, 0.1);
    const b = make().craft(asFunction, images, labels, 0.1);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    untrained.dispose();
  });
});
