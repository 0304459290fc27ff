import { LinfFgsm } from '@apb/attacks';
import { adam, initBackend } from '@apb/backend';
import { lenet, softmaxCrossEntropyLoss } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { BATCH_SIZE, cycle, STEP_BATCHES, syntheticBatches } from './lenet-workload.js';
import { measureAsync, type Measurement, type MeasureOptions } from './measure.js';
import { PYTORCH_THREADS as THREADS, pytorchFigures, pytorchRequest, type TorchWorkload } from './pytorch.js';
import type { BenchContext, BenchResult, BenchSuite } from './suite.js';

/** Issue 14's target for every user path: at least 1.2x PyTorch (2 threads) in the same run. */
const TARGET_VS_PYTORCH = 1.2;

/** The paper's FGSM budget; the cost of a step does not depend on it. */
const FGSM_EPS = 0.3;

type Timing = Omit<MeasureOptions, 'imagesPerStep'>;

/** Batches in one `model.fit` epoch: a few hundred, as a user's epoch has (a few tens when quick). */
function fitBatches(quick: boolean): number {
  return quick ? 20 : 200;
}

/** Per-batch workloads: the native suite's windows. */
function batchTiming(quick: boolean): Timing {
  return quick ? { warmupSteps: 1, windows: 2, windowSeconds: 0.3 } : { warmupSteps: 3, windows: 5, windowSeconds: 2 };
}

/** `fit`: one warm-up epoch, then one epoch per window (PyTorch's `fit` workload does the same). */
function fitTiming(quick: boolean): Timing {
  return { warmupSteps: 1, windows: quick ? 2 : 3, windowSeconds: 0 };
}

/**
 * The Adam a user compiles with: `tf.train.adam`, or `adam()` of `@apb/backend` (what `apb train`
 * uses: the fused step on native, bitwise the same numbers). Both are measured, in the same run.
 */
type UserOptimizer = 'stock-adam' | 'apb-adam';
const OPTIMIZERS: UserOptimizer[] = ['apb-adam', 'stock-adam'];

interface UserPath {
  name: string;
  description: string;
  torch: TorchWorkload;
  measure(context: BenchContext, optimizer: UserOptimizer): Promise<Measurement>;
}

/** `lenet()` compiled the way its README says: Adam 1e-3, softmax cross-entropy on the logits. */
function compiledLenet(optimizer: UserOptimizer): tfl.LayersModel {
  const model = lenet({ seed: 1 });
  model.compile({ optimizer: optimizer === 'apb-adam' ? adam(1e-3) : tf.train.adam(1e-3), loss: softmaxCrossEntropyLoss });
  return model;
}

/** `batches` seeded synthetic MNIST-shaped batches in one tensor, with one-hot labels. */
function syntheticSet(batches: number): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const n = batches * BATCH_SIZE;
    const images = tf.randomUniform<tf.Rank.R4>([n, 28, 28, 1], 0, 1, 'float32', 3);
    const classes = tf.randomUniform<tf.Rank.R1>([n], 0, 10, 'int32', 4);
    return { images, labels: tf.cast(tf.oneHot(classes, 10), 'float32') as tf.Tensor2D };
  });
}

const paths: UserPath[] = [
  {
    name: 'fit',
    description: 'model.fit on lenet() (batch 128, Adam 1e-3, shuffle), one epoch of seeded synthetic batches per window',
    torch: 'fit',
    async measure(context, optimizer) {
      const batches = fitBatches(context.quick);
      const model = compiledLenet(optimizer);
      const { images, labels } = syntheticSet(batches);
      try {
        return await measureAsync(
          () => model.fit(images, labels, { batchSize: BATCH_SIZE, epochs: 1, shuffle: true, verbose: 0 }),
          { ...fitTiming(context.quick), imagesPerStep: batches * BATCH_SIZE },
        );
      } finally {
        tf.dispose([images, labels]);
        model.dispose();
      }
    },
  },
  {
    name: 'train-on-batch',
    description: `model.trainOnBatch on lenet() (batch 128, Adam 1e-3), the loss read back each step, cycling through ${STEP_BATCHES} seeded synthetic batches`,
    torch: 'clean',
    async measure(context, optimizer) {
      const model = compiledLenet(optimizer);
      const batches = syntheticBatches();
      const nextBatch = cycle(batches);
      try {
        return await measureAsync(() => {
          const { images, labels } = nextBatch();
          return model.trainOnBatch(images, labels);
        }, { ...batchTiming(context.quick), imagesPerStep: BATCH_SIZE });
      } finally {
        tf.dispose(batches);
        model.dispose();
      }
    },
  },
  {
    name: 'fgsm-train-on-batch',
    description: `LinfFgsm.craft (eps 0.3) on the batch of 128, then model.trainOnBatch on clean + adversarial (256), cycling through ${STEP_BATCHES} seeded synthetic batches; images/s counts the 128 source images`,
    torch: 'fgsm',
    async measure(context, optimizer) {
      const model = compiledLenet(optimizer);
      const attack = new LinfFgsm();
      const batches = syntheticBatches().map((batch) => ({ ...batch, classes: tf.argMax<tf.Tensor1D>(batch.labels, 1) }));
      const nextBatch = cycle(batches);
      try {
        return await measureAsync(async () => {
          const { images, labels, classes } = nextBatch();
          const adversarial = attack.craft(model, images, classes, FGSM_EPS);
          const x = tf.concat([images, adversarial]);
          const y = tf.concat([labels, labels]);
          try {
            return await model.trainOnBatch(x, y);
          } finally {
            tf.dispose([adversarial, x, y]);
          }
        }, { ...batchTiming(context.quick), imagesPerStep: BATCH_SIZE });
      } finally {
        tf.dispose(batches);
        model.dispose();
      }
    },
  },
];

/**
 * The paths a user takes with the public packages, on the native backend (2 threads) against
 * PyTorch (2 threads, same run): `model.fit` on `lenet()`, `model.trainOnBatch`, and FGSM
 * adversarial training written with `LinfFgsm.craft` + `trainOnBatch`. Issue 14's target for each
 * is 1.2x PyTorch. Data are seeded synthetic MNIST-shaped batches on both sides (same shapes and
 * distribution, not the same numbers: the cost does not depend on them); the per-batch paths cycle
 * through STEP_BATCHES of them, and PyTorch runs each workload in a process of its own.
 */
export const userPathsSuite: BenchSuite = {
  name: 'user-paths',
  description: 'model.fit, trainOnBatch and FGSM training as a user writes them (native, 2 threads) vs PyTorch with --compare-pytorch',
  async run(context: BenchContext): Promise<BenchResult[]> {
    if (!context.backends.includes('native')) {
      context.log(`user-paths: skipped: it measures the native backend, not among the benched backends (${context.backends.join(', ')})`);
      return [];
    }
    const info = await initBackend({ backend: 'native', threads: THREADS });
    const results: BenchResult[] = [];
    const ours = new Map<string, number>();
    const runs = paths.flatMap((path) => OPTIMIZERS.map((optimizer) => ({ path, optimizer, name: optimizer === 'apb-adam' ? path.name : `${path.name}-${optimizer}` })));
    for (const { path, optimizer, name } of runs) {
      context.log(`user-paths: ${info.name} ${name}`);
      const m = await path.measure(context, optimizer);
      ours.set(name, m.imagesPerSecond);
      results.push({ suite: 'user-paths', name: `user-${name}`, value: m.imagesPerSecond, unit: 'images/s',
        details: { backend: info.name, threads: info.threads, batchSize: BATCH_SIZE,
          optimizer: optimizer === 'apb-adam' ? 'adam() of @apb/backend (fused step on native)' : 'tf.train.adam', description: path.description,
          ...(path.torch === 'fit' ? { batchesPerEpoch: fitBatches(context.quick) } : { stepBatches: STEP_BATCHES }),
          windowRates: m.windowRates, steps: m.steps, seconds: m.seconds } });
    }

    const request = pytorchRequest(context);
    if (!request.compare) return results;
    const torch = await pytorchFigures(context, request, {
      suite: 'user-paths',
      workloads: paths.map((p) => p.torch),
      timing: batchTiming(context.quick),
      fitBatches: fitBatches(context.quick),
    });
    if ('reason' in torch) {
      context.log(`user-paths: no PyTorch comparison: ${torch.reason}`);
      return results;
    }
    for (const path of paths) {
      const figure = torch.results[path.torch];
      if (figure === undefined) {
        context.log(`user-paths: the PyTorch figures have no '${path.torch}' workload`);
        continue;
      }
      results.push({ suite: 'user-paths', name: `pytorch-user-${path.name}`, value: figure.imagesPerSecond, unit: 'images/s',
        details: { torch: torch.torch, threads: torch.threads, batchSize: BATCH_SIZE, workload: path.torch, windowRates: figure.windowRates, processRates: figure.processRates } });
    }
    for (const { path, name } of runs) {
      const figure = torch.results[path.torch];
      if (figure === undefined) continue;
      const ratio = ours.get(name)! / figure.imagesPerSecond;
      results.push({ suite: 'user-paths', name: `ratio-user-${name}-native-vs-pytorch`, value: ratio, unit: 'ratio',
        details: { target: TARGET_VS_PYTORCH, meetsTarget: ratio >= TARGET_VS_PYTORCH } });
    }
    return results;
  },
};
