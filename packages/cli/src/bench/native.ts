import { initBackend, type BackendInfo } from '@apb/backend';

import { BATCH_SIZE, lenetWorkload, STEP_BATCHES, type LenetWorkload } from './lenet-workload.js';
import { measure, type MeasureOptions } from './measure.js';
import { PYTORCH_THREADS as THREADS, pytorchFigures, pytorchRequest } from './pytorch.js';
import type { BenchContext, BenchResult, BenchSuite } from './suite.js';

/** Issue 7's targets: clean training at least as fast as PyTorch, and at least 3x wasm. */
const TARGETS = { cleanVsPytorch: 1.0, cleanVsWasm: 3.0 } as const;

type Step = keyof Omit<LenetWorkload, 'dispose'>;
const workloads: { name: string; step: Step; torch: 'clean' | 'fgsm' | 'inference' }[] = [
  { name: 'clean', step: 'cleanStep', torch: 'clean' },
  { name: 'fgsm', step: 'fgsmStep', torch: 'fgsm' },
  { name: 'inference', step: 'inference', torch: 'inference' },
];

function timing(quick: boolean): Omit<MeasureOptions, 'imagesPerStep'> {
  return quick ? { warmupSteps: 1, windows: 2, windowSeconds: 0.3 } : { warmupSteps: 3, windows: 5, windowSeconds: 2 };
}

/** Each step on a fresh seeded model and Adam (PyTorch's side does the same), so no step inherits another's training. */
function measureAll(info: BackendInfo, context: BenchContext, steps: readonly Step[]): Map<Step, ReturnType<typeof measure>> {
  const figures = new Map<Step, ReturnType<typeof measure>>();
  for (const step of steps) {
    const workload = lenetWorkload(1);
    try {
      context.log(`native: ${info.name} ${step}`);
      figures.set(step, measure(() => workload[step](), { ...timing(context.quick), imagesPerStep: BATCH_SIZE }));
    } finally {
      workload.dispose();
    }
  }
  return figures;
}

/**
 * The native backend against wasm and PyTorch on LeNet at batch 128: clean training, FGSM
 * training (clean + adversarial) and inference, images/s and ratios ours / theirs. The machine is
 * shared; each figure is the median of several timed windows, and the window rates are kept.
 */
export const nativeSuite: BenchSuite = {
  name: 'native',
  description: 'LeNet on the native (oneDNN) backend vs wasm and, with --compare-pytorch, PyTorch',
  async run(context: BenchContext): Promise<BenchResult[]> {
    if (!context.backends.includes('native')) {
      context.log(`native: skipped: the native backend is not among the benched backends (${context.backends.join(', ')})`);
      return [];
    }
    const info = await initBackend({ backend: 'native', threads: THREADS });
    const native = measureAll(info, context, workloads.map((w) => w.step));
    const results: BenchResult[] = [];
    const base = { backend: info.name, threads: info.threads, simd: info.simd, batchSize: BATCH_SIZE, stepBatches: STEP_BATCHES, optimizer: 'adam' };
    for (const { name, step } of workloads) {
      const m = native.get(step)!;
      results.push({ suite: 'native', name: `native-${name}`, value: m.imagesPerSecond, unit: 'images/s',
        details: { ...base, windowRates: m.windowRates, steps: m.steps, seconds: m.seconds } });
    }

    const cleanNative = native.get('cleanStep')!.imagesPerSecond;
    if (context.backends.includes('wasm')) {
      const wasmInfo = await initBackend({ backend: 'wasm' });
      const wasm = measureAll(wasmInfo, context, ['cleanStep']).get('cleanStep')!;
      results.push({ suite: 'native', name: 'wasm-clean', value: wasm.imagesPerSecond, unit: 'images/s',
        details: { backend: wasmInfo.name, threads: wasmInfo.threads, batchSize: BATCH_SIZE, windowRates: wasm.windowRates } });
      results.push({ suite: 'native', name: 'ratio-clean-native-vs-wasm', value: cleanNative / wasm.imagesPerSecond, unit: 'ratio',
        details: { target: TARGETS.cleanVsWasm, meetsTarget: cleanNative / wasm.imagesPerSecond >= TARGETS.cleanVsWasm } });
    }

    const request = pytorchRequest(context);
    if (request.compare) {
      const torch = await pytorchFigures(context, request, { suite: 'native', workloads: workloads.map((w) => w.torch), timing: timing(context.quick) });
      if ('reason' in torch) {
        context.log(`native: no PyTorch comparison: ${torch.reason}`);
      } else {
        for (const { name, step, torch: key } of workloads) {
          const figure = torch.results[key];
          if (figure === undefined) {
            context.log(`native: the PyTorch figures have no '${key}' workload`);
            continue;
          }
          const theirs = figure.imagesPerSecond;
          const ours = native.get(step)!.imagesPerSecond;
          results.push({ suite: 'native', name: `pytorch-${name}`, value: theirs, unit: 'images/s',
            details: { torch: torch.torch, threads: torch.threads, batchSize: BATCH_SIZE, windowRates: figure.windowRates, processRates: figure.processRates } });
          const target = name === 'clean' ? { target: TARGETS.cleanVsPytorch, meetsTarget: ours / theirs >= TARGETS.cleanVsPytorch } : {};
          results.push({ suite: 'native', name: `ratio-${name}-native-vs-pytorch`, value: ours / theirs, unit: 'ratio', details: target });
        }
      }
    }
    return results;
  },
};
