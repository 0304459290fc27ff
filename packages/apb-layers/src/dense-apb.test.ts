import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { isApbError } from '@apb/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseApb, denseApb, type DenseApbArgs } from './dense-apb.js';
import type { ApbMemoryStep, ApbSpec } from './apb-options.js';
import { lenet } from './lenet.js';
import { softmaxCrossEntropyLoss } from './train-step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Dyadic values keep every product and sum exact in float32, so the checks below are equalities.
const X = [
  [1, 2, -1],
  [0.5, -1, 2],
];
const W = [
  [0.5, -0.25],
  [0.25, 0.5],
  [-0.5, 0.75],
];
const DELTA = [0.125, -0.25];
const M = [[0.25, -0.25, 0.5]];
const W_AP = [
  [0.5, 1],
  [-1, 0.25],
  [0.75, -0.5],
];
// The loss sum(z * C) has upstream gradient G = C exactly.
const C = [
  [1, -2],
  [0.5, 1],
];
const LR = 0.5;
const EPS = 0.125;

const transpose = (a: number[][]): number[][] => (a[0] ?? []).map((_, j) => a.map((row) => row[j] ?? 0));
const matMul = (a: number[][], b: number[][]): number[][] =>
  a.map((row) => (b[0] ?? []).map((_, j) => row.reduce((sum, value, k) => sum + value * (b[k]?.[j] ?? 0), 0)));
const columnSum = (a: number[][]): number[] => (a[0] ?? []).map((_, j) => a.reduce((sum, row) => sum + (row[j] ?? 0), 0));
const sub = (a: number[][], b: number[][], scale: number): number[][] => a.map((row, i) => row.map((v, j) => v - scale * (b[i]?.[j] ?? 0)));

function weightByName(layer: tfl.layers.Layer, name: string): tfl.LayerVariable {
  const weight = layer.weights.find((w) => w.name.endsWith(`/${name}`));
  if (weight === undefined) {
    throw new Error(`no weight ${name} in ${layer.weights.map((w) => w.name).join(', ')}`);
  }
  return weight;
}

function buildLayer(apb: ApbSpec, options: Partial<DenseApbArgs>): DenseApb {
  const layer = denseApb({ units: 2, apb, eps: EPS, ...options });
  layer.apply(tfl.input({ shape: [3] }));
  weightByName(layer, 'kernel').write(tf.tensor2d(W));
  if (apb.kind === 'naive') {
    weightByName(layer, 'delta').write(tf.tensor1d(DELTA));
  } else {
    weightByName(layer, 'memories').write(tf.tensor2d(M));
    weightByName(layer, 'apbWeights').write(tf.tensor2d(W_AP));
  }
  return layer;
}

function oneStep(layer: DenseApb): void {
  const optimizer = tf.train.sgd(LR);
  const x = tf.tensor2d(X);
  const c = tf.tensor2d(C);
  optimizer.minimize(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, c)), false, layer.trainableWeights.map((w) => w.read() as tf.Variable));
  tf.dispose([x, c]);
  optimizer.dispose();
}

const read = (weight: tfl.LayerVariable): number[] => Array.from(weight.read().dataSync());

describe('one training step on a hand-checkable layer', () => {
  const gradientSum = columnSum(C);
  const cases = (['ascent', 'descent'] as const).flatMap((direction) => (['accumulate', 'reset'] as const).map((mode) => ({ direction, mode })));

  it.each(cases)('moves the naive delta by the Alg. 2 formula and W by an ordinary step ($direction, $mode)', ({ direction, mode }) => {
    const layer = buildLayer({ kind: 'naive' }, { direction, mode });
    oneStep(layer);
    const s = direction === 'ascent' ? 1 : -1;
    const expectedDelta = DELTA.map((d, j) => (mode === 'accumulate' ? d : 0) + s * EPS * Math.sign(gradientSum[j] ?? 0));
    expect(read(weightByName(layer, 'delta'))).toEqual(expectedDelta);
    expect(read(weightByName(layer, 'kernel'))).toEqual(sub(W, matMul(transpose(X), C), LR).flat());
    layer.dispose();
  });

  it.each(cases)('moves the memories m by the Alg. 2 formula with eps_m = eps (fixed step) and W, W_ap by an ordinary step ($direction, $mode)', ({ direction, mode }) => {
    const layer = buildLayer({ kind: 'multimodal', memories: 3 }, { direction, mode, memoryStep: 'fixed' });
    oneStep(layer);
    const s = direction === 'ascent' ? 1 : -1;
    const memoryGradient = matMul([gradientSum], transpose(W_AP))[0] ?? [];
    const expectedM = (M[0] ?? []).map((m, k) => (mode === 'accumulate' ? m : 0) + s * EPS * Math.sign(memoryGradient[k] ?? 0));
    expect(read(weightByName(layer, 'memories'))).toEqual(expectedM);
    // W_ap's gradient uses the m of the forward pass, not the m the same backward pass wrote.
    expect(read(weightByName(layer, 'apbWeights'))).toEqual(sub(W_AP, matMul(transpose(M), [gradientSum]), LR).flat());
    expect(read(weightByName(layer, 'kernel'))).toEqual(sub(W, matMul(transpose(X), C), LR).flat());
    layer.dispose();
  });

  it.each(cases)('scales the budgeted memory step so the largest entry of delta moves by exactly eps ($direction, $mode)', ({ direction, mode }) => {
    const layer = buildLayer({ kind: 'multimodal', memories: 3 }, { direction, mode, clip: null });
    const deltaBefore = matMul(M, W_AP)[0] ?? [];
    oneStep(layer);
    const s = direction === 'ascent' ? 1 : -1;
    // By hand: G_sum = [1.5, -1]; G_sum W_ap^T = [-0.25, -1.75, 1.625], sigma = [-1, -1, 1];
    // sigma W_ap = [1.25, -1.75], so eps_m = eps / 1.75 = 1 / 14.
    const sigma = [-1, -1, 1];
    expect((matMul([gradientSum], transpose(W_AP))[0] ?? []).map(Math.sign)).toEqual(sigma);
    const epsM = EPS / 1.75;
    const expectedM = (M[0] ?? []).map((m, k) => (mode === 'accumulate' ? m : 0) + s * epsM * (sigma[k] ?? 0));
    const actualM = read(weightByName(layer, 'memories'));
    actualM.forEach((value, k) => expect(value).toBeCloseTo(expectedM[k] ?? Number.NaN, 6));
    if (mode === 'accumulate') {
      // delta moves by s eps_m sigma W_ap = s [1.25, -1.75] / 14: the second entry by exactly eps.
      const deltaAfter = matMul([actualM], W_AP)[0] ?? [];
      const moves = deltaAfter.map((d, j) => d - (deltaBefore[j] ?? 0));
      expect(moves[0]).toBeCloseTo((s * 1.25) / 14, 6);
      expect(moves[1]).toBeCloseTo((s * -1.75) / 14, 6);
      expect(Math.abs(moves[1] ?? 0)).toBeCloseTo(EPS, 6);
    } else {
      // reset: delta itself is s eps_m sigma W_ap, whose largest entry is eps, as a reset naive delta.
      expect(Math.max(...(matMul([actualM], W_AP)[0] ?? []).map(Math.abs))).toBeCloseTo(EPS, 6);
    }
    expect(read(weightByName(layer, 'apbWeights'))).toEqual(sub(W_AP, matMul(transpose(M), [gradientSum]), LR).flat());
    layer.dispose();
  });

  it('moves no memory when W_ap is zero, since no step on m can move delta then', () => {
    const layer = buildLayer({ kind: 'multimodal', memories: 3 }, { clip: null });
    weightByName(layer, 'apbWeights').write(tf.zeros([3, 2]));
    oneStep(layer);
    expect(read(weightByName(layer, 'memories'))).toEqual(M[0]);
    layer.dispose();
  });

  it('shortens a budgeted step whose clipping undid a cancellation, so delta still moves by at most eps', () => {
    // W_ap = [[1, 4], [1, -4], [1, 0]] and G_sum = [1, 0]: sigma = [1, 1, 1], sigma W_ap = [3, 0], so
    // eps_m = eps / 3. The second memory sits at the clip, so only the first and third move, by
    // eps / 3, which would move delta by [2, 4] eps / 3; the step is shortened by 3/4 to [1/2, 1] eps.
    const layer = denseApb({ units: 2, apb: { kind: 'multimodal', memories: 3 }, eps: EPS, clip: 0.25 });
    layer.apply(tfl.input({ shape: [1] }));
    weightByName(layer, 'kernel').write(tf.tensor2d([[0.5, -0.5]]));
    weightByName(layer, 'memories').write(tf.tensor2d([[0, 0.25, 0]]));
    weightByName(layer, 'apbWeights').write(tf.tensor2d([[1, 4], [1, -4], [1, 0]]));
    const x = tf.tensor2d([[1]]);
    const c = tf.tensor2d([[1, 0]]);
    tf.train.sgd(0).minimize(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, c)), false, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    const m = read(weightByName(layer, 'memories'));
    [EPS / 4, 0.25, EPS / 4].forEach((value, k) => expect(m[k]).toBeCloseTo(value, 6));
    // delta was [0, 0.25, 0] W_ap = [0.25, -1].
    const moves = (matMul([m], [[1, 4], [1, -4], [1, 0]])[0] ?? []).map((d, j) => d - ([0.25, -1][j] ?? Number.NaN));
    expect(moves[0]).toBeCloseTo(EPS / 2, 6);
    expect(moves[1]).toBeCloseTo(EPS, 6);
    tf.dispose([x, c]);
    layer.dispose();
  });

  it('bounds delta by clip after the step', () => {
    const layer = buildLayer({ kind: 'naive' }, { clip: 0.2 });
    oneStep(layer);
    // delta + eps sign(G_sum) = [0.25, -0.375], clipped to +-0.2.
    expect(read(weightByName(layer, 'delta'))).toEqual([Math.fround(0.2), Math.fround(-0.2)]);
    layer.dispose();
  });

  it('bounds the memories by clip in the multimodal kind', () => {
    const layer = buildLayer({ kind: 'multimodal', memories: 3 }, { clip: 0.3, memoryStep: 'fixed' });
    oneStep(layer);
    // m + eps sign(G_sum W_ap^T) = [0.125, -0.375, 0.625], clipped to +-0.3.
    expect(read(weightByName(layer, 'memories'))).toEqual([0.125, Math.fround(-0.3), Math.fround(0.3)]);
    layer.dispose();
  });

  it('bounds the budgeted memories by 1/h unless clip says otherwise', () => {
    const layer = buildLayer({ kind: 'multimodal', memories: 3 }, {});
    expect(layer.clip).toBe(1 / 3);
    weightByName(layer, 'memories').write(tf.tensor2d([[0.25, -0.25, 0.3]]));
    oneStep(layer);
    // m + (1/14) sigma = [0.25 - 1/14, -0.25 - 1/14, 0.3 + 1/14]; the last clipped to 1/3. The
    // clipped step moves delta by [0.061, -0.106], inside the budget 0.125, so it is not shortened.
    const actual = read(weightByName(layer, 'memories'));
    [0.25 - 1 / 14, -0.25 - 1 / 14, 1 / 3].forEach((value, k) => expect(actual[k]).toBeCloseTo(value, 6));
    expect(denseApb({ units: 2, apb: { kind: 'multimodal', memories: 3 }, clip: null }).clip).toBeNull();
    expect(denseApb({ units: 2, apb: { kind: 'multimodal', memories: 3 }, memoryStep: 'fixed' }).clip).toBeNull();
    layer.dispose();
  });
});

describe('the budgeted multimodal step on LeNet', () => {
  const EPS_LENET = 0.01;
  /** Largest |change of delta| per FC layer over one trainOnBatch with learning rate 0. */
  async function deltaMoves(h: number, memoryStep: ApbMemoryStep): Promise<number[]> {
    const model = lenet({ apb: { kind: 'multimodal', memories: h }, eps: EPS_LENET, memoryStep, seed: 3 });
    model.compile({ optimizer: tf.train.sgd(0), loss: softmaxCrossEntropyLoss });
    const layers = model.layers.filter((layer): layer is DenseApb => layer instanceof DenseApb);
    const deltas = (): tf.Tensor1D[] => layers.map((layer) => layer.currentDelta());
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5], 'int32'), 10);
    const before = deltas();
    await model.trainOnBatch(x, y);
    const after = deltas();
    const moves = after.map((delta, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(delta, before[i] as tf.Tensor))).dataSync()[0] ?? Number.NaN));
    tf.dispose([x, y, ...before, ...after]);
    model.dispose();
    return moves;
  }

  it.each([625, 2500, 10_000])('moves every entry of delta = m W_ap by at most eps, and not by zero, in one step (h = %i)', async (h) => {
    const moves = await deltaMoves(h, 'budgeted');
    expect(moves).toHaveLength(3);
    for (const move of moves) {
      // float32 rounding of the sum over h products allows a hair above eps.
      expect(move).toBeLessThanOrEqual(EPS_LENET * (1 + 1e-4));
      expect(move).toBeGreaterThan(0);
    }
  });

  it('differs from the fixed step, which moves delta by several eps already at h = 625', async () => {
    const moves = await deltaMoves(625, 'fixed');
    expect(Math.max(...moves)).toBeGreaterThan(2 * EPS_LENET);
  });
});

describe('values and gradients', () => {
  it('computes x W + delta in the forward pass, naive and multimodal', () => {
    const naive = buildLayer({ kind: 'naive' }, {});
    const multimodal = buildLayer({ kind: 'multimodal', memories: 3 }, {});
    const x = tf.tensor2d(X);
    const xw = matMul(X, W);
    const mwap = matMul(M, W_AP)[0] ?? [];
    expect((naive.apply(x) as tf.Tensor).arraySync()).toEqual(xw.map((row) => row.map((v, j) => v + (DELTA[j] ?? 0))));
    expect((multimodal.apply(x) as tf.Tensor).arraySync()).toEqual(xw.map((row) => row.map((v, j) => v + (mwap[j] ?? 0))));
    tf.dispose(x);
  });

  it('gives the input gradient C W^T, with and without training', () => {
    const layer = buildLayer({ kind: 'naive' }, {});
    const c = tf.tensor2d(C);
    const expected = matMul(C, transpose(W));
    for (const training of [false, true]) {
      const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layer.apply(x, { training }) as tf.Tensor, c)))(tf.tensor2d(X));
      expect(gradient.arraySync()).toEqual(expected);
    }
    tf.dispose(c);
  });

  it('applies the activation after the perturbation bias', () => {
    const layer = denseApb({ units: 2, activation: 'relu' });
    layer.apply(tfl.input({ shape: [3] }));
    weightByName(layer, 'kernel').write(tf.tensor2d(W));
    weightByName(layer, 'delta').write(tf.tensor1d(DELTA));
    const out = (layer.apply(tf.tensor2d(X)) as tf.Tensor).arraySync() as number[][];
    const expected = matMul(X, W).map((row) => row.map((v, j) => Math.max(0, v + (DELTA[j] ?? 0))));
    expect(out).toEqual(expected);
  });

  it('handles inputs of rank 3 like Dense, summing G over every leading axis', () => {
    const layer = buildLayer({ kind: 'naive' }, {});
    const x = tf.tensor3d([X]);
    const c = tf.tensor3d([C]);
    expect((layer.apply(x) as tf.Tensor).shape).toEqual([1, 2, 2]);
    const optimizer = tf.train.sgd(0);
    optimizer.minimize(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, c)), false, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    const gradientSum = columnSum(C);
    expect(read(weightByName(layer, 'delta'))).toEqual(DELTA.map((d, j) => d + EPS * Math.sign(gradientSum[j] ?? 0)));
  });
});

describe('when the APB moves', () => {
  function tinyModel(apb: ApbSpec): tfl.Sequential {
    const model = tfl.sequential();
    model.add(denseApb({ units: 4, inputShape: [3], activation: 'relu', apb, eps: 0.05, seed: 1 }));
    model.add(denseApb({ units: 2, apb, eps: 0.05, seed: 2 }));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.sum(tf.mul(yTrue, yPred)) });
    return model;
  }
  const state = (model: tfl.LayersModel): number[] => model.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const apbState = (model: tfl.LayersModel): number[] => model.nonTrainableWeights.flatMap((w) => Array.from(w.read().dataSync()));

  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 5 }] as ApbSpec[])('moves in trainOnBatch and fit by the formula ($kind)', async (apb) => {
    const model = tinyModel(apb);
    const x = tf.tensor2d(X);
    const c = tf.tensor2d(C);
    const last = model.layers[1] as DenseApb;
    const before = apbState(model);
    // The last layer is linear, so its G is a positive multiple of C and sign(G_sum) = sign(sum C).
    await model.trainOnBatch(x, c);
    const afterBatch = apbState(model);
    expect(afterBatch).not.toEqual(before);
    if (apb.kind === 'naive') {
      const lastDelta = Array.from(weightByName(last, 'delta').read().dataSync());
      expect(lastDelta).toEqual(columnSum(C).map((g) => Math.fround(0.05) * Math.sign(g)));
    }
    await model.fit(x, c, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(apbState(model)).not.toEqual(afterBatch);
    tf.dispose([x, c]);
  });

  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 5 }] as ApbSpec[])('never moves in predict, evaluate, apply or attack-style input gradients ($kind)', async (apb) => {
    const model = tinyModel(apb);
    const x = tf.tensor2d(X);
    const c = tf.tensor2d(C);
    await model.trainOnBatch(x, c);
    const before = state(model);
    tf.dispose(model.predict(x));
    tf.dispose(model.evaluate(x, c));
    tf.dispose(model.apply(x) as tf.Tensor);
    tf.dispose(model.apply(x, { training: false }) as tf.Tensor);
    const gradient = tf.grad((input: tf.Tensor) => tf.losses.softmaxCrossEntropy(c, model.apply(input) as tf.Tensor))(x);
    expect(Math.max(...Array.from(tf.abs(gradient).dataSync()))).toBeGreaterThan(0);
    expect(state(model)).toEqual(before);
    tf.dispose([x, c, gradient]);
  });

  it('moves in a custom loop that calls apply with training true inside optimizer.minimize', () => {
    const model = tinyModel({ kind: 'naive' });
    const x = tf.tensor2d(X);
    const c = tf.tensor2d(C);
    const before = apbState(model);
    tf.train.sgd(0).minimize(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, c)));
    expect(apbState(model)).not.toEqual(before);
    tf.dispose([x, c]);
  });
});

describe('the ordinary weights see an ordinary network', () => {
  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 6 }] as ApbSpec[])('updates W by the same Adam step as a plain Dense model with bias = delta held fixed ($kind)', (apb) => {
    const apbModel = tfl.sequential();
    apbModel.add(denseApb({ units: 5, inputShape: [4], activation: 'relu', apb, eps: 0.05, seed: 1 }));
    apbModel.add(denseApb({ units: 3, apb, eps: 0.05, seed: 2 }));
    const plain = tfl.sequential();
    plain.add(tfl.layers.dense({ units: 5, inputShape: [4], activation: 'relu' }));
    plain.add(tfl.layers.dense({ units: 3 }));
    plain.layers.forEach((layer, i) => {
      const source = apbModel.layers[i] as DenseApb;
      const delta = source.currentDelta();
      layer.setWeights([weightByName(source, 'kernel').read(), delta]);
      delta.dispose();
    });
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const kernels = (model: tfl.LayersModel): tf.Variable[] => model.layers.map((layer) => weightByName(layer, 'kernel').read() as tf.Variable);
    const step = (model: tfl.LayersModel): void => {
      const optimizer = tf.train.adam(0.01);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), false, kernels(model));
      optimizer.dispose();
    };
    step(apbModel);
    step(plain);
    kernels(apbModel).forEach((kernel, i) => {
      const expected = kernels(plain)[i];
      expect(Array.from(kernel.dataSync())).toEqual(Array.from(expected?.dataSync() ?? []));
    });
    tf.dispose([x, labels]);
  });
});

describe('sign sanity with the weights held fixed', () => {
  const cases = (['ascent', 'descent'] as const).flatMap((direction) =>
    ([{ kind: 'naive' }, { kind: 'multimodal', memories: 7 }] as ApbSpec[]).map((apb) => ({ direction, apb, kind: apb.kind })),
  );

  it.each(cases)('$direction on the $kind APB moves the loss on the same batch the right way', ({ direction, apb }) => {
    const model = tfl.sequential();
    model.add(denseApb({ units: 6, inputShape: [5], activation: 'tanh', apb, eps: 1e-3, direction, seed: 3 }));
    model.add(denseApb({ units: 3, apb, eps: 1e-3, direction, seed: 4 }));
    const x = tf.randomNormal([16, 5], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3);
    const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor);
    const evalLoss = (): number => tf.tidy(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor).dataSync()[0] ?? Number.NaN);
    const before = evalLoss();
    tf.train.sgd(0).minimize(loss, false, model.trainableWeights.map((w) => w.read() as tf.Variable));
    const after = evalLoss();
    if (direction === 'ascent') {
      expect(after).toBeGreaterThan(before);
    } else {
      expect(after).toBeLessThan(before);
    }
    tf.dispose([x, labels]);
  });
});

describe('options and config', () => {
  it('round-trips its config through fromConfig', () => {
    const layer = denseApb({ units: 3, apb: { kind: 'multimodal', memories: 4 }, eps: 0.02, direction: 'descent', mode: 'reset', clip: 0.5, memoryStep: 'fixed', activation: 'relu', seed: 9, name: 'apb_fc' });
    const copy = tf.serialization.SerializationMap.getMap().classNameMap.DenseApb;
    expect(copy).toBeDefined();
    const restored = DenseApb.fromConfig(DenseApb, layer.getConfig()) as DenseApb;
    expect(restored.getConfig()).toEqual(layer.getConfig());
    expect(restored.apb).toEqual({ kind: 'multimodal', memories: 4 });
    expect(restored.mode).toBe('reset');
    expect(restored.memoryStep).toBe('fixed');
    const budgeted = denseApb({ units: 3, apb: { kind: 'multimodal', memories: 4 } });
    expect((DenseApb.fromConfig(DenseApb, budgeted.getConfig()) as DenseApb).getConfig()).toEqual(budgeted.getConfig());
  });

  it('fills in the documented defaults', () => {
    const layer = denseApb({ units: 3 });
    expect([layer.apb, layer.eps, layer.direction, layer.mode, layer.clip, layer.memoryStep, layer.activation]).toEqual([{ kind: 'naive' }, 0.01, 'ascent', 'accumulate', null, 'budgeted', 'linear']);
  });

  it('reads a config saved before memoryStep existed as the fixed step its model was trained with', () => {
    const config = denseApb({ units: 3, apb: { kind: 'multimodal', memories: 4 }, clip: null }).getConfig();
    delete config.memoryStep;
    const restored = DenseApb.fromConfig(DenseApb, config) as DenseApb;
    expect([restored.memoryStep, restored.clip]).toEqual(['fixed', null]);
  });

  it.each([
    [{ units: 3, unitz: 4 }, "unknown option 'unitz'"],
    [{ units: 3, apb: { kind: 'multimodal', memories: 4, memory: 3 } }, "unknown option 'memory'"],
    [{ units: 3, apb: { kind: 'multimodal' } }, "option 'apb.memories'"],
    [{ units: 3, apb: { kind: 'fancy' } }, "option 'apb.kind'"],
    [{ units: 3, eps: -1 }, "option 'eps'"],
    [{ units: 3, direction: 'up' }, "option 'direction'"],
    [{ units: 3, mode: 'sometimes' }, "option 'mode'"],
    [{ units: 3, clip: 0 }, "option 'clip'"],
    [{ units: 3, memoryStep: 'huge' }, "option 'memoryStep'"],
    [{ units: 0 }, "option 'units'"],
    [{ units: 3, activation: 'swish' }, "option 'activation'"],
  ])('rejects bad options with a one-line ApbError naming the option: %j', (args, fragment) => {
    let caught: unknown;
    try {
      denseApb(args as unknown as DenseApbArgs);
    } catch (error) {
      caught = error;
    }
    expect(isApbError(caught)).toBe(true);
    const error = caught as Error & { suggestion?: string };
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain('\n');
    expect(error.suggestion).toBeTruthy();
  });

  it('starts the budgeted multimodal memories at 0', () => {
    const layer = denseApb({ units: 2, apb: { kind: 'multimodal', memories: 50 }, eps: 0.25, seed: 11 });
    layer.apply(tfl.input({ shape: [3] }));
    expect(read(weightByName(layer, 'memories'))).toEqual(new Array(50).fill(0));
  });

  it('starts the fixed-step multimodal memories at +-eps, reproducibly for a seed', () => {
    const make = (): number[] => {
      const layer = denseApb({ units: 2, apb: { kind: 'multimodal', memories: 50 }, eps: 0.25, seed: 11, memoryStep: 'fixed' });
      layer.apply(tfl.input({ shape: [3] }));
      return read(weightByName(layer, 'memories'));
    };
    const first = make();
    expect(first.every((v) => v === 0.25 || v === -0.25)).toBe(true);
    expect(first.some((v) => v > 0) && first.some((v) => v < 0)).toBe(true);
    expect(make()).toEqual(first);
  });
});

describe('no leaked tensors', () => {
  it.each(['budgeted', 'fixed'] as const)('leaves nothing behind when a multimodal layer is built and disposed (%s step)', (memoryStep) => {
    const build = () => {
      const model = tfl.sequential();
      model.add(denseApb({ units: 4, inputShape: [3], apb: { kind: 'multimodal', memories: 5 }, memoryStep, seed: 1 }));
      model.dispose();
    };
    build();
    const before = tf.memory().numTensors;
    build();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([{ kind: 'naive' }, { kind: 'multimodal', memories: 5 }] as ApbSpec[])('keeps tf.memory().numTensors constant over 100 training steps ($kind)', async (apb) => {
    const model = tfl.sequential();
    model.add(denseApb({ units: 4, inputShape: [3], activation: 'relu', apb, seed: 1 }));
    model.add(denseApb({ units: 2, apb, seed: 2 }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
    const x = tf.tensor2d(X);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const optimizer = tf.train.adam(0.01);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = (): void => {
      tf.dispose(optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true, variables) ?? []);
    };
    // Adam creates its slot variables on the first step; count from the second.
    step();
    await model.trainOnBatch(x, y);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i += 1) {
      step();
    }
    for (let i = 0; i < 10; i += 1) {
      await model.trainOnBatch(x, y);
    }
    tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
