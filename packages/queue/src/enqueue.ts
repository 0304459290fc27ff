import type { RunSpec } from '@apb/scenarios';
import { resolve } from 'node:path';
import { jobIdFor } from './job-id.js';
import { assertQueueReachable, DEFAULT_QUEUE_NAME, parseQueueUrl } from './queue-url.js';
import { isSpecComplete } from './run-state.js';
import { openQueue } from './bullmq-clients.js';

/** Options of {@link enqueueReproduction}. */
export interface EnqueueOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** The reproduction's folder; every worker must reach it at this same path. */
  outDir: string;
  /** The planned runs, sources first (`planReproduction`). */
  specs: RunSpec[];
  /** Default {@link DEFAULT_QUEUE_NAME}. */
  queueName?: string;
  /** Tries per run for errors that may pass (a lost machine, a full disk). Default 3. */
  attempts?: number;
  /** Put failed runs (and the runs they blocked) back in the queue with fresh attempts, e.g. after fixing a machine. */
  retryFailed?: boolean;
}

/** What {@link enqueueReproduction} did with each spec. */
export interface EnqueueResult {
  /** Newly added jobs. */
  added: string[];
  /** Already in the queue (waiting, running, done or failed): left as they are. */
  queued: string[];
  /** Complete in the folder: not queued. */
  complete: string[];
  /** Failed runs put back in the queue (`retryFailed`). */
  retried: string[];
}

/**
 * Queues every spec that is not complete in `outDir` as a BullMQ job whose id is the run id
 * ({@link jobIdFor}), in plan order, so enqueueing the same plan again adds nothing. A finished job
 * whose run is no longer complete in the folder (the folder was cleared) is queued afresh.
 */
export async function enqueueReproduction(options: EnqueueOptions): Promise<EnqueueResult> {
  const outDir = resolve(options.outDir);
  await assertQueueReachable(options.url);
  const queue = await openQueue(options.queueName ?? DEFAULT_QUEUE_NAME, parseQueueUrl(options.url));
  const result: EnqueueResult = { added: [], queued: [], complete: [], retried: [] };
  try {
    for (const spec of options.specs) {
      if (await isSpecComplete(spec, outDir)) {
        result.complete.push(spec.id);
        continue;
      }
      const jobId = jobIdFor(spec.id);
      const existing = await queue.getJob(jobId);
      const state = existing === undefined ? undefined : await existing.getState();
      if (existing !== undefined && state === 'completed') await existing.remove();
      else if (existing !== undefined && state === 'failed' && options.retryFailed === true) {
        await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        result.retried.push(spec.id);
        continue;
      } else if (existing !== undefined) {
        result.queued.push(spec.id);
        continue;
      }
      await queue.add(spec.id, { spec, outDir }, {
        jobId,
        attempts: options.attempts ?? 3,
        backoff: { type: 'exponential', delay: 5000 },
        // Kept so status and a restarted coordinator can read how each run ended.
        removeOnComplete: false,
        removeOnFail: false,
      });
      result.added.push(spec.id);
    }
  } finally {
    await queue.close();
  }
  return result;
}
