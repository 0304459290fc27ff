// Measures max |change of delta| per training step of naive and multimodal APB LeNets on MNIST (issue 12):
// node packages/apb-layers/scripts/measure-delta-step.mjs  (after pnpm build; data from APB_DATA_DIR or the cache)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@apb/backend';
import { loadDataset } from '../../datasets/dist/index.js';
import { DenseApb, lenet, trainStep } from '../dist/index.js';

const info = await initBackend({ backend: 'auto' });
const data = await loadDataset('mnist', 'train', { limit: 6000, stratified: true });
const STEPS = Number(process.env.STEPS ?? 47);
const BATCH = 128;
const EPS = 0.01;
const images = tf.tidy(() => tf.div(tf.tensor4d(data.images, [data.count, 28, 28, 1], 'float32'), 255));
const labels = tf.tensor1d(data.labels, 'int32');
const weight = (layer, name) => layer.weights.find((w) => new RegExp(`/${name}(_\\d+)?$`).test(w.name)).read();
const maxAbs = (t) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
console.log(`backend ${JSON.stringify(info.name ?? info)}, eps ${EPS}, batch ${BATCH}, ${STEPS} steps (lr 1e-3 Adam), same batches for every model`);
for (const [kind, h, memoryStep] of [['naive', 0, 'budgeted'], ...[625, 2500, 10000].flatMap((h) => [['multimodal', h, 'budgeted'], ['multimodal', h, 'fixed']])]) {
  const model = lenet({ apb: kind === 'naive' ? { kind } : { kind, memories: h }, eps: EPS, memoryStep, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const layers = model.layers.filter((l) => l instanceof DenseApb);
  let fgsmMax = 0, totalMax = 0, fgsmFirst = 0, fgsmSum = 0, totalSum = 0;
  for (let step = 0; step < STEPS; step++) {
    const start = (step * BATCH) % (data.count - BATCH);
    const x = tf.slice(images, [start], [BATCH]);
    const y = tf.slice(labels, [start], [BATCH]);
    const before = layers.map((l) => l.currentDelta());
    const memBefore = kind === 'naive' ? [] : layers.map((l) => tf.clone(weight(l, 'memories')));
    const wapBefore = kind === 'naive' ? [] : layers.map((l) => tf.clone(weight(l, 'apbWeights')));
    trainStep(model, optimizer, x, y);
    const after = layers.map((l) => l.currentDelta());
    const total = Math.max(...after.map((d, i) => maxAbs(tf.sub(d, before[i]))));
    // The FGSM part alone: (m_after - m_before) W_ap_before; naive: all of it.
    const fgsm = kind === 'naive' ? total : Math.max(...layers.map((l, i) => maxAbs(tf.matMul(tf.sub(weight(l, 'memories'), memBefore[i]), wapBefore[i]))));
    if (step === 0) fgsmFirst = fgsm;
    fgsmMax = Math.max(fgsmMax, fgsm); totalMax = Math.max(totalMax, total); fgsmSum += fgsm; totalSum += total;
    tf.dispose([x, y, ...before, ...after, ...memBefore, ...wapBefore]);
  }
  const mNorm = kind === 'naive' ? '' : ` max ||m||_1 ${Math.max(...layers.map((l) => tf.tidy(() => tf.sum(tf.abs(weight(l, 'memories'))).dataSync()[0]))).toFixed(4)}`;
  const deltaMax = Math.max(...layers.map((l) => { const d = l.currentDelta(); const v = maxAbs(d); d.dispose(); return v; }));
  console.log(`${kind === 'naive' ? 'naive' : `h=${h} ${memoryStep}`}: FGSM part of max|d delta| first step ${fgsmFirst.toFixed(4)}, max ${fgsmMax.toFixed(4)}, mean ${(fgsmSum / STEPS).toFixed(4)}; with Adam's W_ap move: max ${totalMax.toFixed(4)}, mean ${(totalSum / STEPS).toFixed(4)}; |delta|_max after ${STEPS} steps ${deltaMax.toFixed(4)}${mNorm}`);
  model.dispose(); optimizer.dispose();
}
