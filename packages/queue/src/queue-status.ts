import type { Job } from 'bullmq';
import { runIdFromJobId } from './job-id.js';
import type { RunJobData, RunJobResult } from './job-data.js';
import { assertQueueReachable, DEFAULT_QUEUE_NAME, parseQueueUrl } from './queue-url.js';
import { openQueue } from './bullmq-clients.js';

/** One run in the queue. */
export interface QueuedRun {
  id: string;
  /** The worker holding it (active), or the one that finished it (completed, failed). */
  worker?: string;
  /** Epochs done, as the worker last reported. */
  progress?: { epoch: number; epochs: number };
  /** Tries so far. */
  attempts: number;
  /** Why it failed, or why its last try failed. */
  error?: string;
}

/** The queue's runs by state. `delayed` are runs waiting for a dependency, a held folder or a retry. */
export interface QueueStatus {
  url: string;
  waiting: QueuedRun[];
  delayed: QueuedRun[];
  active: QueuedRun[];
  completed: QueuedRun[];
  failed: QueuedRun[];
  /** Workers connected to the queue now, by name. */
  workers: string[];
}

const STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;

function describe(job: Job<RunJobData, RunJobResult>): QueuedRun {
  const progress = job.progress as { epoch?: unknown; epochs?: unknown } | number | undefined;
  return {
    id: job.data?.spec?.id ?? runIdFromJobId(job.id ?? ''),
    ...(job.processedBy === undefined || job.processedBy === '' ? {} : { worker: job.processedBy }),
    ...(typeof progress === 'object' && typeof progress.epoch === 'number' && typeof progress.epochs === 'number' ? { progress: { epoch: progress.epoch, epochs: progress.epochs } } : {}),
    attempts: job.attemptsMade,
    ...(job.failedReason ? { error: job.failedReason } : {}),
  };
}

/** The runs of the queue at `url`, by state, and the workers connected to it. */
export async function queueStatus(options: { url: string; queueName?: string }): Promise<QueueStatus> {
  await assertQueueReachable(options.url);
  const queue = await openQueue(options.queueName ?? DEFAULT_QUEUE_NAME, parseQueueUrl(options.url));
  try {
    const status: QueueStatus = { url: options.url, waiting: [], delayed: [], active: [], completed: [], failed: [], workers: [] };
    for (const state of STATES) {
      const jobs = await queue.getJobs([state === 'waiting' ? 'wait' : state], 0, -1, true);
      status[state] = jobs.filter((job) => job !== undefined).map(describe);
    }
    // Prioritised jobs are waiting too (we add none, but a user's tooling may).
    status.waiting.push(...(await queue.getJobs(['prioritized'], 0, -1, true)).filter((job) => job !== undefined).map(describe));
    // A named worker's Redis clients are called `<queue client>:w:<name>` (one per connection).
    const names = (await queue.getWorkers()).map((worker) => {
      const raw = (worker as { rawname?: unknown }).rawname;
      return typeof raw === 'string' ? (raw.split(':w:')[1] ?? '') : '';
    });
    status.workers = [...new Set(names.filter((name) => name !== ''))].sort();
    return status;
  } finally {
    await queue.close();
  }
}
