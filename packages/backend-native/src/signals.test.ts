import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { describeNative } from './testing-internal/parity.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Products and convolutions that go through oneDNN's sgemm, run over and over while V8's sampling
 * profiler interrupts the main thread every 50 us; each result must equal the first, bitwise.
 */
const script = `
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeBackend } from './dist/index.js';
await registerNativeBackend({ threads: Number(process.env.THREADS) });
await tf.setBackend('native');
const x = tf.randomUniform([64, 14, 14, 6], -1, 1, 'float32', 1);
const filter = tf.randomUniform([5, 5, 6, 16], -1, 1, 'float32', 2);
const a = tf.randomUniform([128, 400], -1, 1, 'float32', 3);
const b = tf.randomUniform([400, 120], -1, 1, 'float32', 4);
const dy = tf.randomUniform([64, 10, 10, 16], -1, 1, 'float32', 5);
const conv = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] };
const filterGradient = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: filter.shape });
const inputGradient = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...conv, inputShape: x.shape });
// A checksum of the results' bits: any changed bit changes it.
const checksum = (values) => {
  let sum = 0;
  for (const word of new Uint32Array(values.buffer, values.byteOffset, values.length)) sum = (Math.imul(sum, 31) + word) | 0;
  return sum;
};
const run = () => tf.tidy(() => [tf.conv2d(x, filter, 1, 'valid'), tf.matMul(a, b), filterGradient(), inputGradient()]
  .map((t) => checksum(t.dataSync())).join());
const first = run();
const end = performance.now() + 1500;
let runs = 0;
while (performance.now() < end) {
  if (run() !== first) { console.log('different result after', runs, 'runs'); process.exit(2); }
  runs++;
}
console.log('ok', runs);
`;

describeNative('oneDNN under a sampling profiler', () => {
  for (const threads of [1, 2]) {
    it(`keeps memory and results intact under node --cpu-prof (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      const profiles = mkdtempSync(join(tmpdir(), 'apb-cpu-prof-'));
      try {
        const run = spawnSync(
          process.execPath,
          ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', profiles, '--input-type=module', '-e', script],
          { cwd: packageDir, encoding: 'utf8', env: { ...process.env, THREADS: String(threads) }, timeout: 60_000 },
        );
        expect(`${run.stdout}${run.stderr}`.trim().split('\n').at(-1)).toMatch(/^ok \d+$/);
        expect(run.status).toBe(0);
      } finally {
        rmSync(profiles, { recursive: true, force: true });
      }
    });
  }
});
