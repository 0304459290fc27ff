import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { fusedAdam, FusedAdamOptimizer } from './fused-adam.js';
import { ADAM_UPDATE } from './kernels/adam-update.js';
import { lenet } from './testing-internal/lenet.js';
import { describeNative, seededValues, useNative } from './testing-internal/parity.js';

interface Trained {
  /** Values of the two variables. */
  weights: number[][];
  /** The optimizer's state, as `getWeights` gives it: iterations, then every m, then every v. */
  state: number[][];
}

/** Two variables (a matrix and a bias) under a non-linear loss, so every moment moves differently. */
async function trainSmall(optimizer: tf.Optimizer, steps: number): Promise<Trained> {
  const w = tf.variable(tf.tensor2d(seededValues(12 * 5, 71), [12, 5]));
  const b = tf.variable(tf.tensor1d(seededValues(5, 72)));
  const x = tf.tensor2d(seededValues(32 * 12, 73, 3), [32, 12]);
  const loss = () => tf.mean<tf.Scalar>(tf.square(tf.tanh(tf.add(tf.matMul(x, w), b))));
  for (let step = 0; step < steps; step++) tf.dispose(optimizer.minimize(loss, true) ?? []);
  const state = await optimizer.getWeights();
  const trained = { weights: [Array.from(w.dataSync()), Array.from(b.dataSync())], state: state.map((s) => Array.from(s.tensor.dataSync())) };
  tf.dispose([w, b, x, ...state.map((s) => s.tensor)]);
  optimizer.dispose();
  return trained;
}

describeNative('fused Adam on the native backend', () => {
  it('registers its kernel for native only', async () => {
    await useNative();
    expect(tf.getKernel(ADAM_UPDATE, 'native')).toBeDefined();
    expect(tf.getKernel(ADAM_UPDATE, 'cpu')).toBeUndefined();
  });

  it('gives bitwise the numbers of tf.train.adam on native, state included', async () => {
    await useNative();
    const fused = await trainSmall(fusedAdam(0.01), 25);
    expect(fused).toEqual(await trainSmall(tf.train.adam(0.01), 25));
    // Not vacuous: the variables moved, and 25 steps were counted.
    expect(fused.state[0]).toEqual([25]);
    expect(fused.weights[1]).not.toEqual(Array.from(seededValues(5, 72)));
  });

  it('applies given gradients bitwise as tf.train.adam does on the cpu backend', async () => {
    // The same gradients on both sides: the cpu and native matmuls sum in different orders, so
    // only the optimizer's own arithmetic can be compared bitwise across backends.
    const applyGiven = async (optimizer: tf.Optimizer) => {
      const w = tf.variable(tf.tensor2d(seededValues(7 * 3, 81), [7, 3]));
      const b = tf.variable(tf.tensor1d(seededValues(3, 82)));
      for (let step = 0; step < 30; step++) {
        const gradients = { [w.name]: tf.tensor2d(seededValues(7 * 3, 100 + step, 0.1 * (step + 1)), [7, 3]), [b.name]: tf.tensor1d(seededValues(3, 200 + step)) };
        optimizer.applyGradients(gradients);
        tf.dispose(Object.values(gradients));
      }
      const state = await optimizer.getWeights();
      const result = [w, b, ...state.map((s) => s.tensor)].map((t) => Array.from(t.dataSync()));
      tf.dispose([w, b, ...state.map((s) => s.tensor)]);
      optimizer.dispose();
      return result;
    };
    await useNative();
    const fused = await applyGiven(fusedAdam(0.02));
    await tf.setBackend('cpu');
    expect(fused).toEqual(await applyGiven(tf.train.adam(0.02)));
  });

  it('keeps the hyper-parameters and epsilon of tf.train.adam', async () => {
    await useNative();
    const fused = await trainSmall(fusedAdam(0.05, 0.8, 0.99, 1e-3), 10);
    const stock = await trainSmall(tf.train.adam(0.05, 0.8, 0.99, 1e-3), 10);
    expect(fused).toEqual(stock);
  });

  it('runs one kernel for every variable instead of the stock per-variable ops', async () => {
    await useNative();
    const w = tf.variable(tf.ones([4, 3]));
    const b = tf.variable(tf.zeros([3]));
    const loss = () => tf.sum<tf.Scalar>(tf.square(tf.add(w, b)));
    const kernelsOf = async (optimizer: tf.Optimizer) => {
      tf.dispose(optimizer.minimize(loss, true) ?? []);
      const { grads } = tf.variableGrads(loss);
      const info = await tf.profile(() => optimizer.applyGradients(grads));
      tf.dispose(Object.values(grads));
      optimizer.dispose();
      return info.kernels.map((kernel) => kernel.name);
    };
    const fused = await kernelsOf(fusedAdam());
    const stock = await kernelsOf(tf.train.adam());
    expect(fused).toContain(ADAM_UPDATE);
    expect(stock).not.toContain(ADAM_UPDATE);
    expect(fused.length).toBeLessThan(stock.length / 4);
    tf.dispose([w, b]);
  });

  it('falls back to the stock step on the cpu backend', async () => {
    await tf.setBackend('cpu');
    const optimizer = fusedAdam(0.01);
    expect(optimizer).toBeInstanceOf(tf.AdamOptimizer);
    expect(await trainSmall(optimizer, 5)).toEqual(await trainSmall(tf.train.adam(0.01), 5));
  });

  it('hands its state to tf.train.adam and back: a checkpoint resumes on either', async () => {
    await useNative();
    const reference = await trainSmall(fusedAdam(0.01), 8);
    // Three steps with fused Adam, the state saved, then the rest resumed by the stock optimizer.
    const first = fusedAdam(0.01);
    const w = tf.variable(tf.tensor2d(seededValues(12 * 5, 71), [12, 5]));
    const b = tf.variable(tf.tensor1d(seededValues(5, 72)));
    const x = tf.tensor2d(seededValues(32 * 12, 73, 3), [32, 12]);
    const loss = () => tf.mean<tf.Scalar>(tf.square(tf.tanh(tf.add(tf.matMul(x, w), b))));
    for (let step = 0; step < 3; step++) tf.dispose(first.minimize(loss, true) ?? []);
    const saved = await first.getWeights();
    const second = tf.train.adam(0.01);
    await second.setWeights(saved);
    for (let step = 0; step < 5; step++) tf.dispose(second.minimize(loss, true) ?? []);
    expect([Array.from(w.dataSync()), Array.from(b.dataSync())]).toEqual(reference.weights);
    tf.dispose([w, b, x, ...saved.map((s) => s.tensor)]);
    first.dispose();
    second.dispose();
  });

  it('leaves no tensor behind per step', async () => {
    await useNative();
    const w = tf.variable(tf.ones([4, 3]));
    const optimizer = fusedAdam();
    const step = () => tf.dispose(optimizer.minimize(() => tf.sum<tf.Scalar>(tf.square(w)), true) ?? []);
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    w.dispose();
  });

  describe('updating in place', () => {
    /** A variable big enough for the pool (in-place needs an array a native kernel made) under a quadratic loss. */
    const setUp = () => {
      const w = tf.variable(tf.tensor2d(seededValues(128 * 64, 91), [128, 64]));
      const optimizer = fusedAdam(0.01);
      const step = () => tf.dispose(optimizer.minimize(() => tf.sum<tf.Scalar>(tf.square(tf.sub(w, 0.5))), true) ?? []);
      return { w, optimizer, step, dispose: () => { optimizer.dispose(); w.dispose(); } };
    };
    const storage = (tensor: tf.Tensor) => (tf.backend() as MathBackendCPU).data.get(tensor.dataId)?.values;

    it('writes over the variable\'s own array once a native kernel made it, bitwise as tf.train.adam', async () => {
      await useNative();
      const { w, step, dispose } = setUp();
      step(); // the initial value came from the cpu backend: this step writes fresh arrays
      const array = storage(w);
      step();
      step();
      expect(storage(w)).toBe(array);
      const values = Array.from(w.dataSync());
      dispose();
      const stock = tf.variable(tf.tensor2d(seededValues(128 * 64, 91), [128, 64]));
      const adam = tf.train.adam(0.01);
      for (let i = 0; i < 3; i++) tf.dispose(adam.minimize(() => tf.sum<tf.Scalar>(tf.square(tf.sub(stock, 0.5))), true) ?? []);
      expect(values).toEqual(Array.from(stock.dataSync()));
      adam.dispose();
      stock.dispose();
    });

    it('leaves an array that was read out as it was read', async () => {
      await useNative();
      const { w, step, dispose } = setUp();
      step();
      const read = w.dataSync();
      const copy = Array.from(read);
      step();
      expect(Array.from(read)).toEqual(copy);
      expect(Array.from(w.dataSync())).not.toEqual(copy);
      dispose();
    });

    it('leaves a clone of the variable as it was', async () => {
      await useNative();
      const { w, step, dispose } = setUp();
      step();
      step();
      const clone = w.clone();
      const before = storage(clone);
      const copy = Array.from(before as Float32Array);
      step();
      expect(Array.from(storage(clone) as Float32Array)).toEqual(copy);
      expect(storage(w)).not.toBe(before);
      clone.dispose();
      dispose();
    });
  });

  it('trains LeNet bitwise like tf.train.adam, and a repeated seeded run is bitwise identical', async () => {
    await useNative(2);
    const run = (makeOptimizer: () => tf.Optimizer) => {
      const model = lenet(5);
      const optimizer = makeOptimizer();
      const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 5);
      const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([16], 0, 10, 'int32', 6), 10));
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.apply(x, { training: true }) as tf.Tensor), true)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
      return { losses, weights };
    };
    const fused = run(() => fusedAdam(1e-3));
    expect(run(() => fusedAdam(1e-3))).toEqual(fused);
    expect(run(() => tf.train.adam(1e-3))).toEqual(fused);
    expect(new Set(fused.losses).size).toBeGreaterThan(1);
  });
});

it('is an AdamOptimizer, so it serialises and compiles like one', () => {
  expect(new FusedAdamOptimizer(0.01, 0.9, 0.999)).toBeInstanceOf(tf.AdamOptimizer);
});
