import { LinfFgsm, LinfPgd, LinfSquare, type Classifier } from '@apb/attacks';
import { initBackend } from '@apb/backend';
import { lenet } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';

import { measure, median } from './measure.js';
import type { BenchContext, BenchResult, BenchSuite } from './suite.js';

const BATCH_SIZE = 128;
const BACKEND = 'wasm';
const EPS = 0.3;
/** Square's cost is reported per this many queries per image. */
const SQUARE_QUERY_UNIT = 1000;

/**
 * Attack throughput on the paper's LeNet (`lenet()` from `@apb/layers`, untrained, seeded) on the
 * wasm backend, batch 128, eps 0.3: FGSM and PGD-40 in adversarial images/s (one `craft` call per
 * step), Square in images/s per 1,000 queries. For Square the model's true-class logit is raised
 * by 1,000 so no example succeeds early: every image spends its whole budget, which makes the
 * figure the worst-case cost of the query loop (model calls plus the bookkeeping in JS).
 */
export const attacksSuite: BenchSuite = {
  name: 'attacks',
  description: 'FGSM, PGD-40 and Square (per 1,000 queries) images/s on LeNet (batch 128, eps 0.3, wasm)',
  async run(context: BenchContext): Promise<BenchResult[]> {
    if (context.backends.length > 0 && !context.backends.includes(BACKEND)) {
      context.log(`attacks: skipped, it measures on ${BACKEND} and --backend asked for ${context.backends.join(', ')}`);
      return [];
    }
    const info = await initBackend({ backend: BACKEND });
    const backend = { name: info.name, threads: info.threads, simd: info.simd };
    const windowSeconds = context.quick ? 0.3 : 3;
    const squareQueries = context.quick ? 20 : SQUARE_QUERY_UNIT;
    const model = lenet({ seed: 1 });
    const images = tf.randomUniform<tf.Rank.R4>([BATCH_SIZE, 28, 28, 1], 0, 1, 'float32', 1);
    const labels = tf.randomUniform<tf.Rank.R1>([BATCH_SIZE], 0, 10, 'int32', 2);
    const boost = tf.tidy(() => tf.mul(tf.oneHot(labels, 10), 1000));
    const unfoolable: Classifier = (x) => tf.add(model.apply(x) as tf.Tensor2D, boost);
    const results: BenchResult[] = [];
    try {
      const gradientAttacks: [string, LinfFgsm | LinfPgd, number][] = [
        ['fgsm', new LinfFgsm(), 1],
        ['pgd-40', new LinfPgd({ steps: 40, seed: 1 }), 40],
      ];
      for (const [name, attack, gradients] of gradientAttacks) {
        const measured = measure(() => attack.craft(model, images, labels, EPS).dispose(), {
          warmupSteps: 1,
          windows: context.quick ? 1 : 3,
          windowSeconds,
          imagesPerStep: BATCH_SIZE,
        });
        results.push({
          suite: 'attacks',
          name: `lenet-${name}`,
          value: measured.imagesPerSecond,
          unit: 'images/s',
          details: { backend, batchSize: BATCH_SIZE, eps: EPS, gradientsPerImage: gradients, windowRates: measured.windowRates, cpuImagesPerSecond: measured.cpuImagesPerSecond },
        });
        context.log(`attacks: ${name} ${measured.imagesPerSecond.toFixed(0)} images/s (CPU time: ${measured.cpuImagesPerSecond.toFixed(0)})`);
      }
      new LinfSquare({ queries: 3 }).craft(unfoolable, images, labels, EPS).dispose();
      const square = new LinfSquare({ queries: squareQueries, seed: 1 });
      const rates: number[] = [];
      const runs = context.quick ? 1 : 2;
      const cpuStart = process.cpuUsage();
      for (let run = 0; run < runs; run++) {
        const start = process.hrtime.bigint();
        square.craft(unfoolable, images, labels, EPS).dispose();
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        rates.push(BATCH_SIZE / (seconds * (SQUARE_QUERY_UNIT / squareQueries)));
      }
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const cpuImagesPerSecond = (runs * BATCH_SIZE) / (cpuSeconds * (SQUARE_QUERY_UNIT / squareQueries));
      const squareRate = median(rates);
      results.push({
        suite: 'attacks',
        name: 'lenet-square-per-1000-queries',
        value: squareRate,
        unit: 'images/s',
        details: { backend, batchSize: BATCH_SIZE, eps: EPS, queriesRun: squareQueries, scaledTo: SQUARE_QUERY_UNIT, runRates: rates, cpuImagesPerSecond },
      });
      context.log(`attacks: square ${squareRate.toFixed(1)} images/s per ${SQUARE_QUERY_UNIT} queries (CPU time: ${cpuImagesPerSecond.toFixed(1)}; ran ${squareQueries})`);
    } finally {
      tf.dispose([images, labels, boost]);
      model.dispose();
    }
    return results;
  },
};
