import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { BATCH_SIZE, STEP_BATCHES } from './lenet-workload.js';
import { median, type MeasureOptions } from './measure.js';
import type { BenchContext } from './suite.js';

/** Both engines get the same two threads, as issue 7 asks. */
export const PYTORCH_THREADS = 2;

/** Fresh PyTorch processes per workload; the figure is their median. */
const PYTORCH_PROCESSES = 3;

/** The workloads `lenet_torch.py` can time (see its docstring). */
export type TorchWorkload = 'clean' | 'fgsm' | 'inference' | 'fit';

/** One workload's figure as `lenet_torch.py` prints it. */
export interface TorchFigure {
  imagesPerSecond: number;
  windowRates: number[];
  /** When several processes timed it: each one's figure (imagesPerSecond is their median). */
  processRates?: number[];
}

/** What `lenet_torch.py` prints: only the workloads it was asked for are present. */
export interface TorchReport {
  torch: string;
  threads: number;
  results: Partial<Record<TorchWorkload, TorchFigure>>;
}

/**
 * `--compare-pytorch` (or APB_BENCH_COMPARE_PYTORCH=1) asks for PyTorch figures; with a file name,
 * they are read from that file (the script's JSON) instead of measured.
 */
export function pytorchRequest(context: BenchContext): { compare: false } | { compare: true; file?: string } {
  if (typeof context.comparePytorch === 'string') return { compare: true, file: context.comparePytorch };
  if (context.comparePytorch === true || process.env.APB_BENCH_COMPARE_PYTORCH === '1') return { compare: true };
  return { compare: false };
}

/** The first Python that imports torch: APB_PYTHON, python3, then the system one (Debian's python3-torch). */
function findTorchPython(): { python: string } | { reason: string } {
  const candidates = [process.env.APB_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
  }
  return { reason: `none of ${candidates.join(', ')} can import torch (Debian: apt-get install python3-torch)` };
}

/** What to ask `lenet_torch.py` for. */
export interface TorchRun {
  workloads: readonly TorchWorkload[];
  timing: Omit<MeasureOptions, 'imagesPerStep'>;
  /** Batches in the `fit` workload's epoch. */
  fitBatches?: number;
  /** Who is asking, for the progress line. */
  suite: string;
}

/**
 * Times the same LeNet workloads in PyTorch (2 threads) by running `lenet_torch.py`, or reads an
 * earlier run's JSON when `--pytorch-results FILE` was given. A reason instead when it cannot.
 */
export async function pytorchFigures(context: BenchContext, request: { file?: string }, run: TorchRun): Promise<TorchReport | { reason: string }> {
  if (request.file !== undefined) return JSON.parse(readFileSync(request.file, 'utf8')) as TorchReport;
  const found = findTorchPython();
  if ('reason' in found) return found;
  const specifier = '@apb/backend-native';
  const native = (await import(specifier)) as { pytorchLenetScriptPath(): string };
  const common = [native.pytorchLenetScriptPath(), '--threads', String(PYTORCH_THREADS), '--batch', String(BATCH_SIZE),
    '--warmup', String(run.timing.warmupSteps), '--windows', String(run.timing.windows), '--seconds', String(run.timing.windowSeconds),
    '--step-batches', String(STEP_BATCHES), ...(run.fitBatches === undefined ? [] : ['--fit-batches', String(run.fitBatches)])];
  context.log(`${run.suite}: timing the same LeNet workloads in PyTorch (${found.python}, ${PYTORCH_THREADS} threads, one process each: ${run.workloads.join(', ')})`);
  // One process per workload, as a user's script runs one: in one process, 10 s of clean steps
  // left PyTorch's FGSM step at 1,450 images/s where a fresh process runs it at 3,500 (with
  // flush-to-zero too, so not subnormals), which would flatter every ratio measured after it.
  // Several processes each, because one process's figure varies: `fit` gave 3,900-6,900 images/s
  // in four processes run back to back on an idle machine.
  let merged: TorchReport | undefined;
  for (const workload of run.workloads) {
    const figures: TorchFigure[] = [];
    for (let repeat = 0; repeat < PYTORCH_PROCESSES; repeat++) {
      const child = spawnSync(found.python, [...common, '--workloads', workload], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(PYTORCH_THREADS) } });
      if (child.status !== 0) return { reason: `the PyTorch script failed: ${(child.stderr || child.stdout).trim().split('\n').at(-1) ?? ''}` };
      const report = JSON.parse(child.stdout) as TorchReport;
      const figure = report.results[workload];
      if (figure === undefined) return { reason: `the PyTorch script printed no '${workload}' figure` };
      figures.push(figure);
      merged ??= { ...report, results: {} };
    }
    const processRates = figures.map((f) => f.imagesPerSecond);
    merged!.results[workload] = { imagesPerSecond: median(processRates), windowRates: figures.flatMap((f) => f.windowRates), processRates };
  }
  return merged ?? { reason: 'no PyTorch workload was asked for' };
}
