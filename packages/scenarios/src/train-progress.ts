import type { HistoryEntry } from './run-record.js';

/** The two classical LeNets other runs depend on (see `sourceConfigFor`). */
export type SourceKind = 'precomputed' | 'transfer';

/**
 * Progress of a run, for progress bars. `source` is set while a source model trains. A `source`
 * event says where a source model the run needs is: `found` complete there, or `training` there now.
 */
export type TrainProgress = (
  | { type: 'phase'; phase: 'load' | 'precompute' | 'train' | 'evaluate' | 'save'; detail?: string }
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; entry: HistoryEntry; epochs: number }
  | { type: 'source'; kind: SourceKind; directory: string; status: 'found' | 'training' }
) & { source?: SourceKind };
