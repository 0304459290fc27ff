import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { APB_MULTIMODAL_STEP } from '@apb/core';
import { initBackend, listBackends } from '@apb/backend';
import { afterAll, describe, expect, it } from 'vitest';
import { denseApb, type DenseApbArgs } from './dense-apb.js';

const native = (await listBackends()).find((entry) => entry.backend === 'native');
// Under CI the native backend's own tests fail when the addon did not build; here it is only skipped.
const describeNative = native?.available === true ? describe : describe.skip;

const INPUT = 23;
const UNITS = 37;

/** The layer's memories (bit patterns) after `steps` training steps on the active backend, from the same seeds each time. */
function memoriesAfter(args: Omit<DenseApbArgs, 'units'>, steps: number, upstreamScale = 1): number[] {
  const layer = denseApb({ units: UNITS, seed: 3, ...args });
  const x = tf.tensor2d(Float32Array.from({ length: 16 * INPUT }, (_, i) => Math.sin(i * 0.7)), [16, INPUT]);
  // A loss whose gradient differs per unit and per example, so every memory sees a different sign.
  const weights = tf.tensor2d(Float32Array.from({ length: 16 * UNITS }, (_, i) => Math.cos(i * 1.3) * upstreamScale), [16, UNITS]);
  layer.apply(x); // builds the weights
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weights)))(x));
  }
  const memories = layer.getWeights()[layer.weights.findIndex((w) => w.name.endsWith('memories'))]!;
  const result = Array.from(new Uint32Array((memories.dataSync() as Float32Array).slice().buffer));
  tf.dispose([x, weights]);
  layer.dispose();
  return result;
}

describeNative('the native fused multimodal step', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const configs: [string, Omit<DenseApbArgs, 'units'>, number?][] = [
    ['budgeted, the default clip', { apb: { kind: 'multimodal', memories: 300 } }],
    ['budgeted, a clip that binds', { apb: { kind: 'multimodal', memories: 300 }, clip: 1e-4 }],
    ['budgeted without a clip', { apb: { kind: 'multimodal', memories: 300 }, clip: null }],
    ['fixed memory step', { apb: { kind: 'multimodal', memories: 64 }, memoryStep: 'fixed', eps: 0.02 }],
    ['descent in reset mode', { apb: { kind: 'multimodal', memories: 50 }, direction: 'descent', mode: 'reset' }],
    ['a zero upstream gradient', { apb: { kind: 'multimodal', memories: 40 } }, 0],
  ];

  for (const [name, args, scale] of configs) {
    it(`moves the memories bitwise as the layer's portable step does: ${name}`, async () => {
      await initBackend({ backend: 'native' });
      const config = tf.getKernel(APB_MULTIMODAL_STEP, 'native');
      expect(config).toBeDefined();
      const fused = memoriesAfter(args, 4, scale);
      tf.unregisterKernel(APB_MULTIMODAL_STEP, 'native');
      let portable: number[];
      try {
        portable = memoriesAfter(args, 4, scale);
      } finally {
        tf.registerKernel(config);
      }
      expect(fused).toEqual(portable);
      // Not vacuous: the memories moved (except under a zero gradient, where the step is zero).
      if (scale !== 0) expect(new Set(fused).size).toBeGreaterThan(1);
    });
  }

  it('shortens a step that clipping unbalanced back into the budget, as the portable step does', async () => {
    // Memory 1 sits at the bound and cannot move; without it the step no longer cancels in the
    // second unit (rows 0 and 1 of W_ap), so delta would move by 5 eps_m = 2.4 eps there: the
    // step is shortened to move it by eps, and memories 0 and 2 end at eps / 5, not eps / 2.1.
    const step = () => {
      const layer = denseApb({ units: 2, apb: { kind: 'multimodal', memories: 3 }, eps: 0.01, clip: 0.008, seed: 1 });
      const x = tf.tensor2d([[0.5, -0.25]]);
      layer.apply(x);
      layer.setWeights([tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 5], [1, -5], [0.1, 0]]), tf.tensor2d([[0, 0.008, 0]])]);
      const upstream = tf.tensor2d([[1, 0.001]]);
      tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, upstream)))(x));
      const memories = Array.from(layer.getWeights()[2]!.dataSync());
      tf.dispose([x, upstream]);
      layer.dispose();
      return memories;
    };
    await initBackend({ backend: 'native' });
    const config = tf.getKernel(APB_MULTIMODAL_STEP, 'native');
    expect(config).toBeDefined();
    const fused = step();
    tf.unregisterKernel(APB_MULTIMODAL_STEP, 'native');
    let portable: number[];
    try {
      portable = step();
    } finally {
      tf.registerKernel(config);
    }
    expect(fused).toEqual(portable);
    expect(fused[0]).toBeCloseTo(0.002, 6);
    expect(fused[1]).toBeCloseTo(0.008, 9);
    expect(fused[2]).toBeCloseTo(0.002, 6);
  });

  it('is not used on the cpu backend, which runs the portable step', async () => {
    expect(tf.getKernel(APB_MULTIMODAL_STEP, 'cpu')).toBeUndefined();
  });
});
