import { writeReproductionRecord, type Figure, type Preset, type ReproductionSummary, type RunSpec, type SpecOutcome } from '@apb/scenarios';
import { join, resolve } from 'node:path';
import { enqueueReproduction, type EnqueueResult } from './enqueue.js';
import { jobIdFor, runIdFromJobId } from './job-id.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from './queue-url.js';
import { isSpecComplete } from './run-state.js';
import { openQueue, openQueueEvents } from './bullmq-clients.js';

/** Progress of a queued reproduction as the coordinator sees it. */
export type QueuedProgress =
  | { type: 'enqueued'; result: EnqueueResult }
  | { type: 'start'; id: string }
  | { type: 'epoch'; id: string; epoch: number; epochs: number }
  | { type: 'end'; id: string; outcome: SpecOutcome; error?: string; done: number; total: number };

/** Options of {@link runQueuedReproduction}. */
export interface QueuedReproductionOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  queueName?: string;
  /** The shared folder; every worker must reach it at this same path. */
  outDir: string;
  specs: RunSpec[];
  /** Recorded in `reproduction.json`. */
  figure?: Figure;
  preset?: Preset;
  /** Tries per run for errors that may pass. Default 3. */
  attempts?: number;
  /** Put failed runs back in the queue with fresh attempts. */
  retryFailed?: boolean;
  onProgress?: (event: QueuedProgress) => void;
  /** Stops waiting (the runs go on in the queue; a later call picks them up). */
  signal?: AbortSignal;
  /** How often the runs' states are read, besides the queue's events. Default 2 s. */
  pollMs?: number;
}

/** The URL without its password, for files and logs. */
export function redactQueueUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Queues every run of `specs` not complete in `outDir` ({@link enqueueReproduction}), then waits
 * until each has ended on some worker, reporting runs as they start, progress and end, and writes
 * `reproduction.json` like a local reproduction. Runs complete before this call are `skipped`; a
 * run whose dependency failed is `blocked`; runs still queued when `signal` stops the wait are
 * `pending` (a later call waits for them again).
 */
export async function runQueuedReproduction(options: QueuedReproductionOptions): Promise<ReproductionSummary> {
  const started = performance.now();
  const outDir = resolve(options.outDir);
  const emit = options.onProgress ?? (() => undefined);
  const enqueued = await enqueueReproduction({ url: options.url, outDir, specs: options.specs, ...(options.queueName === undefined ? {} : { queueName: options.queueName }), ...(options.attempts === undefined ? {} : { attempts: options.attempts }), retryFailed: options.retryFailed === true });
  emit({ type: 'enqueued', result: enqueued });

  const connection = parseQueueUrl(options.url);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = await openQueue(queueName, connection);
  const events = await openQueueEvents(queueName, connection).catch(async (error: unknown) => {
    await queue.close();
    throw error;
  });
  const outcomes = new Map<string, { outcome: SpecOutcome; error?: string }>(enqueued.complete.map((id) => [id, { outcome: 'skipped' }]));
  const known = new Set(options.specs.map((spec) => spec.id));
  let wake: () => void = () => undefined;
  const nudge = () => wake();
  events.on('active', ({ jobId }) => {
    const id = runIdFromJobId(jobId);
    if (known.has(id)) emit({ type: 'start', id });
  });
  events.on('progress', ({ jobId, data }) => {
    const id = runIdFromJobId(jobId);
    const progress = data as { epoch?: unknown; epochs?: unknown };
    if (known.has(id) && typeof progress === 'object' && typeof progress.epoch === 'number' && typeof progress.epochs === 'number') emit({ type: 'epoch', id, epoch: progress.epoch, epochs: progress.epochs });
  });
  events.on('completed', nudge);
  events.on('failed', nudge);
  options.signal?.addEventListener('abort', nudge);
  const settle = (id: string, result: { outcome: SpecOutcome; error?: string }) => {
    outcomes.set(id, result);
    emit({ type: 'end', id, ...result, done: outcomes.size, total: options.specs.length });
  };

  try {
    while (!options.signal?.aborted) {
      for (const spec of options.specs) {
        if (outcomes.has(spec.id)) continue;
        const job = await queue.getJob(jobIdFor(spec.id));
        const state = job === undefined ? 'missing' : await job.getState();
        if (state === 'completed' || (state === 'missing' && (await isSpecComplete(spec, outDir)))) settle(spec.id, { outcome: 'complete' });
        else if (state === 'failed') {
          const reason = job?.failedReason ?? 'failed';
          settle(spec.id, reason.startsWith('blocked:') ? { outcome: 'blocked', error: reason.replace(/^blocked: /, '') } : { outcome: 'failed', error: reason });
        }
      }
      if (outcomes.size === options.specs.length) break;
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, options.pollMs ?? 2000);
        wake = () => {
          clearTimeout(timer);
          resolveWait();
        };
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', nudge);
    await events.close();
    await queue.close();
  }

  const summary: ReproductionSummary = {
    outDir,
    runs: options.specs.map((spec) => ({ id: spec.id, runJson: join(outDir, spec.id, 'run.json'), roles: spec.roles, ...(outcomes.get(spec.id) ?? { outcome: 'pending' as const }) })),
    seconds: (performance.now() - started) / 1000,
  };
  await writeReproductionRecord(summary, options.specs, { figure: options.figure, preset: options.preset, queue: redactQueueUrl(options.url) });
  return summary;
}
