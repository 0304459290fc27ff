import type { BackendInfo } from '@apb/backend';

import type { Measurement } from './measure.js';

/** What a bench worker is told to do (passed as JSON in argv[2]). */
export interface WorkerOptions {
  backend: string;
  /** Threads for the backend; above 1 on wasm this starts the experimental threaded build. */
  threads?: number;
  seed: number;
  warmupSteps: number;
  windows: number;
  windowSeconds: number;
}

/** What a bench worker reports. */
export interface WorkerReport {
  backend: BackendInfo;
  measurement: Measurement;
}

/** Line a worker prints when warmed up; it then waits for `go` on stdin. */
export const WORKER_READY = 'APB_BENCH_READY';

/** Prefix of the line carrying a worker's {@link WorkerReport}. */
export const WORKER_RESULT = 'APB_BENCH_RESULT ';
