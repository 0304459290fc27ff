// Profiles a LeNet training step (batch 128, Adam) on the 'native' backend kernel by kernel:
// `node bench/profile-lenet.mjs [--steps N] [--threads N] [--fgsm | --inference] [--cpu-clock] [--stock-adam]`
// after `pnpm build`.
// Prints the time per kernel, sorted, so what is left on the critical path is visible.
import * as tf from '@tensorflow/tfjs-core';

import { fusedAdam, registerNativeBackend } from '../dist/index.js';
import { benchLenet } from './lenet-model.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const steps = arg('steps', 20);
const batch = arg('batch', 128);
const fgsm = process.argv.includes('--fgsm');
const inference = process.argv.includes('--inference');
// --cpu-clock: time kernels by this process's CPU time (exact with --threads 1) instead of the wall
// clock, which on a shared machine mostly measures the other processes.
const cpuClock = process.argv.includes('--cpu-clock');
const clock = cpuClock
  ? () => { const u = process.cpuUsage(); return BigInt(u.user + u.system) * 1000n; }
  : () => process.hrtime.bigint();
const info = await registerNativeBackend({ threads: arg('threads', 2) });

const totals = new Map();
for (const kernel of tf.getKernelsForBackend('native')) {
  const inner = kernel.kernelFunc;
  tf.unregisterKernel(kernel.kernelName, 'native');
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      const start = clock();
      const out = inner(args);
      const entry = totals.get(kernel.kernelName) ?? { ns: 0n, calls: 0 };
      entry.ns += clock() - start;
      entry.calls += 1;
      totals.set(kernel.kernelName, entry);
      return out;
    },
  });
}

const seed = 1;
const model = benchLenet(seed);
// --stock-adam: tf.train.adam's per-variable kernels instead of the fused step apb train uses.
const optimizer = process.argv.includes('--stock-adam') ? tf.train.adam(1e-3) : fusedAdam(1e-3);
const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', seed), 10);
const loss = (input) => tf.losses.softmaxCrossEntropy(y, model.apply(input, { training: true }));
const step = () => {
  if (inference) {
    const logits = model.predict(x);
    logits.dataSync();
    logits.dispose();
  } else if (fgsm) {
    const adversarial = tf.tidy(() => {
      const g = tf.grad((input) => tf.losses.softmaxCrossEntropy(y, model.apply(input)))(x);
      return tf.clipByValue(tf.add(x, tf.mul(0.1, tf.sign(g))), 0, 1);
    });
    optimizer.minimize(() => tf.mul(0.5, tf.add(loss(x), loss(adversarial))));
    adversarial.dispose();
  } else {
    tf.dispose(optimizer.minimize(() => loss(x), true));
  }
};
for (let i = 0; i < 3; i++) step();
totals.clear();
const cpuStart = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < steps; i++) step();
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
// On a shared machine wall time mostly measures the other processes; CPU time per step does not.
const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;
let kernelMs = 0;
const rows = [...totals.entries()].map(([name, { ns, calls }]) => {
  const ms = Number(ns) / 1e6 / steps;
  kernelMs += ms;
  return { name, msPerStep: ms, callsPerStep: calls / steps };
}).sort((a, b) => b.msPerStep - a.msPerStep);
console.log(JSON.stringify({ backend: info, batch, fgsm, inference, steps, imagesPerSecond: (steps * batch) / seconds,
  msPerStep: (seconds * 1000) / steps, cpuMsPerStep, kernelMsPerStep: kernelMs }, null, 1));
for (const row of rows.slice(0, 25)) {
  console.log(`${row.name.padEnd(24)} ${row.msPerStep.toFixed(3).padStart(8)} ms  ${row.callsPerStep} calls`);
}
