// Trains a classical LeNet on MNIST for a short while, then evaluates it with every attack of
// @apb/attacks and prints the evaluation and the gradient-masking diagnostics as Markdown (the
// README shows this output). Run from packages/attacks:
//   APB_DATA_DIR=/work/shared/datasets pnpm example
// Knobs (environment): EPOCHS (default 1), TRAIN_LIMIT (default 60000), TEST_LIMIT (default 1000), SQUARE_SUBSET (default 500),
// SQUARE_QUERIES (default 1000), BACKEND (default wasm), OUT (also write the evaluation as JSON).
import { renameSync, writeFileSync } from 'node:fs';

import {
  evaluateRobustness,
  LinfFgsm,
  LinfFgsmRandomStart,
  LinfPgd,
  LinfSquare,
  RandomNoise,
  Transfer,
  type RobustnessEvaluation,
} from '@apb/attacks';
import { initBackend, type BackendChoice } from '@apb/backend';
import { batches, loadDataset, toFloat32, type Dataset } from '@apb/datasets';
import { lenet, trainStep } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const EPOCHS = env('EPOCHS', 1);
const TRAIN_LIMIT = env('TRAIN_LIMIT', 60_000);
const TEST_LIMIT = env('TEST_LIMIT', 1000);
const SQUARE_SUBSET = env('SQUARE_SUBSET', 500);
const SQUARE_QUERIES = env('SQUARE_QUERIES', 1000);
const EPSILONS = [0.1, 0.2, 0.3];
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function train(seed: number, data: Dataset): Promise<{ model: tfl.LayersModel; seconds: number }> {
  const model = lenet({ seed });
  const optimizer = tf.train.adam(1e-3);
  const started = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    let loss = 0;
    let steps = 0;
    for (const batch of batches(data, { batchSize: 128, seed: seed * 1000 + epoch })) {
      const images = tf.tensor4d(toFloat32(batch.images), [batch.count, 28, 28, 1]);
      const labels = tf.tensor1d(Int32Array.from(batch.labels), 'int32');
      loss += trainStep(model, optimizer, images, labels);
      steps++;
      tf.dispose([images, labels]);
    }
    log(`lenet seed ${seed}: epoch ${epoch + 1}/${EPOCHS}, mean loss ${(loss / steps).toFixed(4)}`);
  }
  optimizer.dispose();
  return { model, seconds: (performance.now() - started) / 1000 };
}

function markdown(evaluation: RobustnessEvaluation): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [`Clean accuracy: ${pct(evaluation.clean.accuracy)} (n = ${evaluation.clean.n})`, ''];
  lines.push(`| attack | ${EPSILONS.map((e) => `eps ${e}`).join(' | ')} | n | seconds (all eps) |`);
  lines.push(`| --- | ${EPSILONS.map(() => '---:').join(' | ')} | ---: | ---: |`);
  const names = [...new Set(evaluation.attacks.map((a) => a.attack))];
  for (const name of names) {
    const rows = evaluation.attacks.filter((a) => a.attack === name);
    const seconds = rows.reduce((s, a) => s + a.seconds, 0);
    lines.push(`| ${name} | ${rows.map((a) => pct(a.accuracy)).join(' | ')} | ${rows[0]?.n ?? 0} | ${seconds.toFixed(1)} |`);
  }
  lines.push(
    `| **worst case** | ${evaluation.worstCase.map((w) => `**${pct(w.accuracy)}**`).join(' | ')} | ${evaluation.n} | |`,
    '',
    '| diagnostic | raised | detail |',
    '| --- | --- | --- |',
    ...evaluation.diagnostics.map((d) => `| \`${d.flag}\` | ${d.raised ? '**yes**' : 'no'} | ${d.detail} |`),
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const info = await initBackend({ backend: (process.env.BACKEND ?? 'wasm') as BackendChoice });
  log(`backend ${info.name}, ${info.threads} thread(s), simd ${info.simd}`);
  const trainSet = await loadDataset('mnist', 'train', { limit: TRAIN_LIMIT });
  const testSet = await loadDataset('mnist', 'test', { limit: TEST_LIMIT });

  const target = await train(1, trainSet);
  // The surrogate of the transfer attack: same architecture, another seed, same data.
  const surrogate = await train(2, trainSet);

  const attacks = [
    new LinfFgsm(),
    new LinfPgd({ steps: 40, seed: 1 }),
    new LinfFgsmRandomStart({ seed: 1 }),
    new LinfSquare({ queries: SQUARE_QUERIES, seed: 1 }),
    new RandomNoise({ seed: 1 }),
    new Transfer({ source: surrogate.model, attack: new LinfPgd({ steps: 40, seed: 2 }) }),
  ];
  const started = performance.now();
  let last = 0;
  const evaluation = await evaluateRobustness(
    target.model,
    { images: toFloat32(testSet.images), labels: testSet.labels },
    attacks,
    {
      epsilons: EPSILONS,
      batchSize: 250,
      subset: { square: SQUARE_SUBSET },
      seed: 1,
      onProgress: (p) => {
        if (performance.now() - last > 10_000 || p.done === p.total) {
          last = performance.now();
          log(`  ${p.attack} eps ${p.eps}: ${p.done}/${p.total}`);
        }
      },
    },
  );
  const evalSeconds = (performance.now() - started) / 1000;

  const out = process.env.OUT;
  if (out) {
    writeFileSync(`${out}.tmp`, `${JSON.stringify(evaluation, null, 2)}\n`);
    renameSync(`${out}.tmp`, out);
  }
  console.log(
    [
      `LeNet (classical, \`lenet({ seed: 1 })\`), trained ${EPOCHS} epoch(s) on ${trainSet.count} MNIST training images`,
      `(Adam 1e-3, batch 128) in ${target.seconds.toFixed(0)} s on ${info.name} (${info.threads} thread(s));`,
      `evaluated on the first ${testSet.count} test images in ${evalSeconds.toFixed(0)} s. Square: ${SQUARE_QUERIES} queries,`,
      `on a seeded subset of ${SQUARE_SUBSET}. Transfer: PGD-40 on a second LeNet (seed 2, same training).`,
      '',
      markdown(evaluation),
    ].join('\n'),
  );
  target.model.dispose();
  surrogate.model.dispose();
}

main().catch((error: unknown) => {
  const e = error as { message?: string; suggestion?: string };
  log(`error: ${e.message ?? String(error)}${e.suggestion ? `\n${e.suggestion}` : ''}`);
  process.exitCode = 1;
});
