import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isApbError } from '@apb/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseApb } from './dense-apb.js';
import { lenet, type LenetOptions } from './lenet.js';
import { parameterCount } from './parameter-count.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Hand count of the paper's LeNet with a padded first convolution (flatten 16 * 5 * 5 = 400).
const CONV = 6 * (5 * 5 * 1 + 1) + 16 * (5 * 5 * 6 + 1);
const FC_KERNELS = 400 * 120 + 120 * 84 + 84 * 10;
const FC_BIASES = 120 + 84 + 10;

describe('lenet', () => {
  it('builds the classical LeNet with logits of shape [batch, 10] and the hand-counted parameters', () => {
    const model = lenet({ seed: 1 });
    expect(model.layers.map((layer) => layer.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2', 'fc3']);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(parameterCount(model)).toEqual({ trainable: CONV + FC_KERNELS + FC_BIASES, nonTrainable: 0, total: 61706 });
    const x = tf.zeros([2, 28, 28, 1]);
    const logits = model.predict(x) as tf.Tensor;
    expect(logits.shape).toEqual([2, 10]);
    // Logits, not probabilities: rows do not sum to one in general.
    tf.dispose([x, logits]);
  });

  it('replaces the biases of all three FC layers by default and of the chosen ones otherwise', () => {
    const all = lenet({ apb: { kind: 'naive' } });
    expect(all.layers.filter((layer) => layer instanceof DenseApb).map((layer) => layer.name)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(parameterCount(all)).toEqual({ trainable: CONV + FC_KERNELS, nonTrainable: FC_BIASES, total: 61706 });
    const some = lenet({ apb: { kind: 'naive' }, apbLayers: ['fc2'] });
    expect(some.layers.filter((layer) => layer instanceof DenseApb).map((layer) => layer.name)).toEqual(['fc2']);
  });

  it('counts the multimodal memories and bias weights', () => {
    const h = 25;
    const model = lenet({ apb: { kind: 'multimodal', memories: h } });
    expect(parameterCount(model)).toEqual({ trainable: CONV + FC_KERNELS + h * FC_BIASES, nonTrainable: 3 * h, total: CONV + FC_KERNELS + h * FC_BIASES + 3 * h });
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const weights = (options: LenetOptions): number[] => lenet(options).getWeights().flatMap((w) => Array.from(w.dataSync()));
    const options: LenetOptions = { apb: { kind: 'multimodal', memories: 4 }, seed: 7 };
    expect(weights(options)).toEqual(weights(options));
    expect(weights(options)).not.toEqual(weights({ ...options, seed: 8 }));
  });

  it('starts an APB LeNet from the same W as the classical LeNet of the same seed', () => {
    const classical = lenet({ seed: 3 }).getLayer('fc2').getWeights()[0];
    const apb = lenet({ seed: 3, apb: { kind: 'naive' } }).getLayer('fc2').getWeights()[0];
    expect(apb?.arraySync()).toEqual(classical?.arraySync());
  });

  it('gives flatten size 256 with a valid first convolution', () => {
    expect(lenet({ firstConvPadding: 'valid' }).getLayer('fc1').getWeights()[0]?.shape).toEqual([256, 120]);
  });

  it.each([
    [{ apbLayer: ['fc1'] }, "unknown option 'apbLayer'"],
    [{ apbLayers: ['fc4'] }, "option 'apbLayers'"],
    [{ apb: { kind: 'naive' }, eps: Number.NaN }, "option 'eps'"],
    [{ firstConvPadding: 'full' }, "option 'firstConvPadding'"],
    [{ seed: 1.5 }, "option 'seed'"],
  ])('rejects bad options with an ApbError naming the option: %j', (options, fragment) => {
    expect(() => lenet(options as LenetOptions)).toThrow(fragment);
    try {
      lenet(options as LenetOptions);
    } catch (error) {
      expect(isApbError(error)).toBe(true);
    }
  });
});
