import type { RunSpec } from '@apb/scenarios';

/** What a queued run carries: the spec, and the shared folder every worker writes it into. */
export interface RunJobData {
  spec: RunSpec;
  /** Absolute path of the reproduction's folder, the same on every worker (a shared file system). */
  outDir: string;
}

/** What a worker returns for a run it finished. */
export interface RunJobResult {
  status: 'complete';
  /** True when the run was already complete in the folder (a redelivered job): nothing was trained. */
  alreadyComplete: boolean;
  /** The worker that ran it (its `--name`, default host:pid). */
  worker: string;
}
