// A/B of the native GatherV2 kernel against the cpu backend's, interleaved in one process so that
// a load change on a shared machine hits both alike:
// `node bench/gather-ab.mjs [--rounds 5] [--batches 50] [--threads 2]` after `pnpm build`.
// (1) the gathers `model.fit` does per batch of 128 (images [n, 28, 28, 1] and one-hot labels
// [n, 10], shuffled indices), kernel alone; (2) one `model.fit` epoch of a LeNet (Adam 1e-3) with
// each kernel registered for 'native' in turn. Prints medians over the rounds.
import * as tf from '@tensorflow/tfjs-core';

import { registerNativeBackend } from '../dist/index.js';
import { benchLenet } from './lenet-model.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = arg('rounds', 5);
const batches = arg('batches', 50);
const batch = 128;
await registerNativeBackend({ threads: arg('threads', 2) });

const kernels = { cpu: tf.getKernel('GatherV2', 'cpu'), native: tf.getKernel('GatherV2', 'native') };
const use = (which) => {
  tf.unregisterKernel('GatherV2', 'native');
  tf.registerKernel({ ...kernels[which], backendName: 'native' });
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const n = batches * batch;
const images = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 1);
const labels = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10).cast('float32');
const order = Int32Array.from(tf.util.createShuffledIndices(n));

const model = benchLenet(1);
model.compile({ optimizer: tf.train.adam(1e-3), loss: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits) });

/** ms per batch of the two gathers of one fit batch, over every batch of the epoch. */
function gatherMs() {
  const start = now();
  for (let b = 0; b < batches; b++) {
    const ids = tf.tensor1d(order.subarray(b * batch, (b + 1) * batch), 'int32');
    const x = tf.gather(images, ids);
    const y = tf.gather(labels, ids);
    x.dataSync();
    tf.dispose([ids, x, y]);
  }
  return (now() - start) / batches;
}

/** ms per batch of one `model.fit` epoch. */
async function fitMs() {
  const start = now();
  await model.fit(images, labels, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
  return (now() - start) / batches;
}

const times = { cpu: { gather: [], fit: [] }, native: { gather: [], fit: [] } };
for (const which of ['cpu', 'native']) {
  use(which);
  gatherMs();
  await fitMs();
}
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so neither always meets the same phase of the neighbours' load.
  for (const which of r % 2 === 0 ? ['cpu', 'native'] : ['native', 'cpu']) {
    use(which);
    times[which].gather.push(gatherMs());
    times[which].fit.push(await fitMs());
  }
}
use('native');
const report = (which) => ({
  gatherMsPerBatch: median(times[which].gather),
  fitMsPerBatch: median(times[which].fit),
  fitImagesPerSecond: (1000 * batch) / median(times[which].fit),
  rounds: times[which],
});
const cpu = report('cpu');
const native = report('native');
console.log(JSON.stringify({
  batch, batches, rounds,
  cpuGatherV2: cpu, nativeGatherV2: native,
  gatherSpeedup: cpu.gatherMsPerBatch / native.gatherMsPerBatch,
  fitSpeedup: cpu.fitMsPerBatch / native.fitMsPerBatch,
}, (key, value) => (typeof value === 'number' ? Math.round(value * 1000) / 1000 : value), 2));
tf.dispose([images, labels]);
model.dispose();
