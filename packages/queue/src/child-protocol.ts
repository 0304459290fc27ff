import type { RunSpec, TrainProgress } from '@apb/scenarios';

/** Worker to its run child: run one spec, or stop it between batches. */
export type ChildRequest = { type: 'run'; spec: RunSpec; outDir: string } | { type: 'abort' };

/** Run child to worker: progress, then how the run ended (an error's `code` when it was an ApbError). */
export type ChildReply =
  | { type: 'progress'; event: TrainProgress }
  | { type: 'done'; status: 'complete' | 'interrupted' | 'failed'; error?: string; code?: string };
