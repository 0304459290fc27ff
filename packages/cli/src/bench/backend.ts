import { initBackend, type BackendChoice, type BackendInfo } from '@apb/backend';

import { BATCH_SIZE, lenetWorkload, type LenetWorkload } from './lenet-workload.js';
import { measure, type MeasureOptions } from './measure.js';
import { runParallelWorkers } from './parallel-workers.js';
import type { BenchContext, BenchResult, BenchSuite } from './suite.js';

/** Issue 2's targets, recorded next to the figures they apply to. */
const TARGETS = { wasmCleanImagesPerSecond: 2500, twoProcessRatio: 1.7 } as const;

type Timing = Omit<MeasureOptions, 'imagesPerStep'>;

function timing(backend: string, quick: boolean): Timing {
  // The pure-JS cpu backend needs ~4 s per clean step: a few single-step windows are enough.
  if (backend === 'cpu') return quick ? { warmupSteps: 0, windows: 1, windowSeconds: 0 } : { warmupSteps: 1, windows: 2, windowSeconds: 0 };
  return quick ? { warmupSteps: 1, windows: 2, windowSeconds: 0.3 } : { warmupSteps: 3, windows: 5, windowSeconds: 2 };
}

const workloads: { name: string; step: keyof Omit<LenetWorkload, 'dispose'>; description: string }[] = [
  { name: 'lenet-train-clean', step: 'cleanStep', description: 'one Adam step on a clean batch of 128' },
  {
    name: 'lenet-train-fgsm',
    step: 'fgsmStep',
    description: 'FGSM on the batch of 128 (input gradient, inference mode), then one Adam step on clean + adversarial (256); images/s counts the 128 source images',
  },
  { name: 'lenet-inference', step: 'inference', description: 'logits for a batch of 128, inference mode' },
];

function backendDetails(info: BackendInfo): Record<string, unknown> {
  return { backend: info.name, threads: info.threads, simd: info.simd, backendNotes: info.notes };
}

async function singleBackend(backend: string, context: BenchContext): Promise<BenchResult[]> {
  const info = await initBackend({ backend: backend as BackendChoice });
  const plan = timing(info.name, context.quick);
  const workload = lenetWorkload(1);
  const results: BenchResult[] = [];
  try {
    for (const { name, step, description } of workloads) {
      context.log(`backend: ${info.name} ${name}`);
      const m = measure(() => workload[step](), { ...plan, imagesPerStep: BATCH_SIZE });
      const target = info.name === 'wasm' && step === 'cleanStep' ? TARGETS.wasmCleanImagesPerSecond : undefined;
      results.push({
        suite: 'backend',
        name,
        value: m.imagesPerSecond,
        unit: 'images/s',
        details: {
          ...backendDetails(info),
          description,
          batchSize: BATCH_SIZE,
          optimizer: 'adam',
          windowRates: m.windowRates,
          steps: m.steps,
          seconds: m.seconds,
          cpuImagesPerSecond: m.cpuImagesPerSecond,
          ...(target === undefined ? {} : { target, meetsTarget: m.imagesPerSecond >= target }),
        },
      });
    }
  } finally {
    workload.dispose();
  }
  return results;
}

async function twoProcesses(backend: string, context: BenchContext): Promise<BenchResult[]> {
  const options = { backend, seed: 1, ...(context.quick ? { warmupSteps: 1, windows: 2, windowSeconds: 0.5 } : { warmupSteps: 3, windows: 5, windowSeconds: 2 }) };
  context.log(`backend: ${backend} clean training in one worker process`);
  const [single] = await runParallelWorkers(1, options);
  context.log(`backend: ${backend} clean training in two simultaneous worker processes`);
  const pair = await runParallelWorkers(2, options);
  context.log(`backend: ${backend} clean training in one worker process with 2 threads (experimental threaded wasm)`);
  const threaded = await runParallelWorkers(1, { ...options, threads: 2 }).catch((error: unknown) => error as Error);
  const singleRate = single!.measurement.imagesPerSecond;
  const threadedResults: BenchResult[] = [];
  if (threaded instanceof Error) {
    context.log(`backend: threaded wasm failed: ${threaded.message}`);
  } else {
    const report = threaded[0]!;
    threadedResults.push({
      suite: 'backend',
      name: 'lenet-train-clean-one-process-two-threads',
      value: report.measurement.imagesPerSecond,
      unit: 'images/s',
      details: {
        ...backendDetails(report.backend),
        batchSize: BATCH_SIZE,
        optimizer: 'adam',
        processes: 1,
        speedupOverOneThread: report.measurement.imagesPerSecond / singleRate,
        cpuImagesPerSecond: report.measurement.cpuImagesPerSecond,
        description: "tfjs-backend-wasm's threaded build started in Node by @apb/backend's experimental shim",
      },
    });
  }
  const aggregate = pair.reduce((sum, report) => sum + report.measurement.imagesPerSecond, 0);
  const details = { ...backendDetails(single!.backend), batchSize: BATCH_SIZE, optimizer: 'adam' };
  const ratio = aggregate / singleRate;
  return [
    {
      suite: 'backend',
      name: 'lenet-train-clean-one-process',
      value: singleRate,
      unit: 'images/s',
      details: { ...details, processes: 1, windowRates: single!.measurement.windowRates, cpuImagesPerSecond: single!.measurement.cpuImagesPerSecond },
    },
    {
      suite: 'backend',
      name: 'lenet-train-clean-two-processes',
      value: aggregate,
      unit: 'images/s',
      details: { ...details, processes: 2, perProcess: pair.map((report) => report.measurement.imagesPerSecond) },
    },
    {
      suite: 'backend',
      name: 'two-process-scaling',
      value: ratio,
      unit: 'ratio',
      details: { ...details, description: 'aggregate images/s of two simultaneous processes over one process alone', target: TARGETS.twoProcessRatio, meetsTarget: ratio >= TARGETS.twoProcessRatio },
    },
    ...threadedResults,
  ];
}

/**
 * Issue 2's benchmark: the paper's LeNet at batch 128 with Adam on synthetic data, per backend —
 * clean training, FGSM adversarial training and inference — plus, for wasm (single-threaded in
 * Node), one process against two simultaneous processes.
 */
export const backendSuite: BenchSuite = {
  name: 'backend',
  description: 'LeNet training/inference images/s per TensorFlow.js backend, and two-process scaling',
  async run(context) {
    const results: BenchResult[] = [];
    for (const backend of context.backends) results.push(...(await singleBackend(backend, context)));
    if (context.backends.includes('wasm')) results.push(...(await twoProcesses('wasm', context)));
    return results;
  },
};
