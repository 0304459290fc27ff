import type { RunSpec } from './plan.js';
import type { TrainProgress } from './train-run.js';

/** Parent to worker: run one spec, or stop the current one between batches. */
export type WorkerRequest = { type: 'run'; spec: RunSpec; outDir: string } | { type: 'abort' };

/** Worker to parent: progress of the current spec, and its end. */
export type WorkerReply =
  | { type: 'progress'; id: string; event: TrainProgress }
  | { type: 'done'; id: string; status: 'complete' | 'interrupted' | 'failed'; error?: string; code?: string };
