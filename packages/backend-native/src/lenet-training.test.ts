import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { trainLenet } from './testing-internal/lenet.js';
import { describeNative, useNative } from './testing-internal/parity.js';
import { REFERENCE_BACKEND, registerReferenceBackend } from './testing-internal/reference-backend.js';

describeNative('LeNet training on the native backend', () => {
  it('follows the cpu backend loss curve over 200 Adam steps', { timeout: 600_000 }, async () => {
    const options = { steps: 200, batch: 4, seed: 7 };
    registerReferenceBackend();
    await tf.setBackend(REFERENCE_BACKEND);
    const reference = trainLenet(options);
    await useNative(2);
    const native = trainLenet(options);
    // The task must be learnable, or matching curves would prove little.
    expect(reference.at(-1)!).toBeLessThan(reference[0]! * 0.2);
    const worst = Math.max(...native.map((loss, i) => Math.abs(loss - reference[i]!) / Math.max(1e-2, Math.abs(reference[i]!))));
    expect(worst).toBeLessThanOrEqual(1e-2);
    // The first steps, before rounding differences compound, agree far more closely.
    for (let i = 0; i < 5; i++) expect(Math.abs(native[i]! - reference[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(reference[i]!));
  });

  it('gives bitwise-identical losses when the same seeded run is repeated with two threads', async () => {
    await useNative(2);
    const first = trainLenet({ steps: 30, batch: 16, seed: 11 });
    const second = trainLenet({ steps: 30, batch: 16, seed: 11 });
    expect(second).toEqual(first);
  });
});
