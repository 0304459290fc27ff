// A/B of the fused Adam step (`fusedAdam`) against `tf.train.adam` on the 'native' backend,
// interleaved in one process so that a load change on a shared machine hits both alike:
// `node bench/adam-ab.mjs [--rounds 5] [--steps 20] [--threads 2]` after `pnpm build`.
// Times, per LeNet step at batch 128: the whole clean step (`optimizer.minimize`) and the update
// alone (`applyGradients` on that step's gradients), by the wall clock and by this process's CPU
// time (all threads; steadier than the wall clock when other jobs load the machine). Prints medians
// over the rounds.
import * as tf from '@tensorflow/tfjs-core';

import { fusedAdam, registerNativeBackend } from '../dist/index.js';
import { benchLenet } from './lenet-model.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = arg('rounds', 5);
const steps = arg('steps', 20);
const batch = 128;
await registerNativeBackend({ threads: arg('threads', 2) });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };


const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).cast('float32');
const arms = {
  stock: { model: benchLenet(), optimizer: tf.train.adam(1e-3), step: [], update: [], stepCpu: [], updateCpu: [] },
  fused: { model: benchLenet(), optimizer: fusedAdam(1e-3), step: [], update: [], stepCpu: [], updateCpu: [] },
};
const lossOf = (model) => () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }));

/** ms per whole step, then ms per update alone, each over `steps` steps. */
function time(arm) {
  let start = now();
  let cpuStart = cpuNow();
  for (let s = 0; s < steps; s++) {
    const loss = arm.optimizer.minimize(lossOf(arm.model), true);
    loss.dataSync();
    loss.dispose();
  }
  const step = (now() - start) / steps;
  const stepCpu = (cpuNow() - cpuStart) / steps;
  const { grads } = tf.variableGrads(lossOf(arm.model));
  start = now();
  cpuStart = cpuNow();
  for (let s = 0; s < steps; s++) arm.optimizer.applyGradients(grads);
  const update = (now() - start) / steps;
  const updateCpu = (cpuNow() - cpuStart) / steps;
  tf.dispose(Object.values(grads));
  return { step, update, stepCpu, updateCpu };
}

for (const arm of Object.values(arms)) time(arm);
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['stock', 'fused'] : ['fused', 'stock']) {
    const figures = time(arms[name]);
    for (const key of ['step', 'update', 'stepCpu', 'updateCpu']) arms[name][key].push(figures[key]);
  }
}
const report = (arm) => ({
  stepMs: median(arm.step), updateMs: median(arm.update), stepCpuMs: median(arm.stepCpu), updateCpuMs: median(arm.updateCpu),
  imagesPerSecond: (1000 * batch) / median(arm.step), rounds: { step: arm.step, update: arm.update },
});
const stock = report(arms.stock);
const fused = report(arms.fused);
console.log(JSON.stringify({
  batch, steps, rounds, stock, fused,
  stepSpeedup: stock.stepMs / fused.stepMs,
  updateSpeedup: stock.updateMs / fused.updateMs,
  stepCpuSpeedup: stock.stepCpuMs / fused.stepCpuMs,
}, (key, value) => (typeof value === 'number' ? Math.round(value * 1000) / 1000 : value), 2));
