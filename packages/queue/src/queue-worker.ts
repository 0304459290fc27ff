import { ApbError, inheritableExecArgv } from '@apb/core';
import { RUN_HELD, type TrainProgress } from '@apb/scenarios';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest } from './child-protocol.js';
import { isDeterministicFailure } from './deterministic-errors.js';
import { jobIdFor } from './job-id.js';
import type { RunJobData, RunJobResult } from './job-data.js';
import { assertQueueReachable, DEFAULT_QUEUE_NAME, parseQueueUrl } from './queue-url.js';
import { isRunComplete, isSpecComplete } from './run-state.js';
import { openQueue } from './bullmq-clients.js';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  queueName?: string;
  /** Runs at a time, each in its own child process. Default 1. */
  concurrency?: number;
  /** Threads per run (`APB_THREADS`); default `APB_THREADS`, else the cores shared among the runs. */
  threads?: number;
  /** Shown by `apb status` beside the runs this worker holds. Default `host:pid`. */
  name?: string;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it); a worker killed
   * outright loses its jobs to the others this long after its last renewal. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. Default 30 s. */
  stalledIntervalMs?: number;
  /** Worker deaths a run survives before it is failed. Default 5. */
  maxStalledCount?: number;
  /** How long a run waits before looking again at a dependency still running, or a held folder. Default 10 s. */
  retryDelayMs?: number;
  /** The run child to fork; default this package's `dist/run-child.js`. */
  childPath?: string;
  /** One line per thing worth logging: a run taken, finished, failed, waiting, given back. */
  log?: (line: string) => void;
  /** Progress of the runs in this worker's children (no batch events). */
  onProgress?: (id: string, event: TrainProgress) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  readonly name: string;
  /**
   * Stops: running runs stop between batches (checkpoint kept, `run.json` interrupted) and go back
   * to the queue for any worker, then the connection closes. Idempotent.
   */
  close(): Promise<void>;
}

function defaultChildPath(): string {
  const here = fileURLToPath(import.meta.url);
  // From the TypeScript sources (tests), the child is the built one.
  return here.endsWith('.ts') ? fileURLToPath(new URL('../dist/run-child.js', import.meta.url)) : fileURLToPath(new URL('./run-child.js', import.meta.url));
}

/**
 * Takes runs from the queue and executes each in a child process with resume semantics
 * (`executeSpec`): a run whose dependencies are not complete yet is delayed, a run already
 * complete in the folder returns at once, a deterministic failure (NaN loss, bad configuration)
 * fails the job for good, other errors are retried. See {@link QueueWorker.close} for shutdown.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ApbError(`--concurrency must be a whole number >= 1, got ${String(concurrency)}.`, { code: 'BAD_OPTION', suggestion: 'Pass --concurrency 1 or more (at most the number of cores).' });
  }
  const childPath = options.childPath ?? defaultChildPath();
  if (!existsSync(childPath)) {
    throw new ApbError(`The queue worker's run process ${childPath} does not exist.`, { code: 'WORKER_MISSING', suggestion: 'Build @apb/queue (pnpm --filter @apb/queue build).' });
  }
  const connection = parseQueueUrl(options.url);
  await assertQueueReachable(options.url);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const retryDelay = options.retryDelayMs ?? 10_000;
  const threads = String(options.threads ?? process.env.APB_THREADS ?? Math.max(1, Math.floor(availableParallelism() / concurrency)));
  const queue = await openQueue(queueName, connection, log);
  const children = new Set<ChildProcess>();
  let closing = false;

  const later = async (job: Job<RunJobData, RunJobResult>, token: string | undefined, why: string): Promise<never> => {
    log(`${job.data.spec.id}: ${why}; looking again in ${Math.round(retryDelay / 1000)} s`);
    await job.moveToDelayed(Date.now() + retryDelay, token);
    throw new DelayedError();
  };

  const processor = async (job: Job<RunJobData, RunJobResult>, token?: string): Promise<RunJobResult> => {
    const { spec, outDir } = job.data;
    if (await isSpecComplete(spec, outDir)) return { status: 'complete', alreadyComplete: true, worker: name };
    for (const id of spec.dependsOn) {
      if (await isRunComplete(id, outDir)) continue;
      const dependency = await queue.getJob(jobIdFor(id));
      const state = dependency === undefined ? 'missing' : await dependency.getState();
      if (state === 'failed') throw new UnrecoverableError(`blocked: dependency ${id} failed`);
      if (state === 'missing' || state === 'unknown') throw new UnrecoverableError(`blocked: dependency ${id} is neither complete in ${outDir} nor queued`);
      await later(job, token, `waiting for ${id}`);
    }
    log(`${spec.id}: started (attempt ${job.attemptsMade + 1})`);
    const reply = await runInChild(job);
    if (reply.status === 'complete') {
      log(`${spec.id}: complete`);
      return { status: 'complete', alreadyComplete: false, worker: name };
    }
    if (reply.status === 'interrupted' && closing) {
      log(`${spec.id}: stopped with its checkpoint; back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (reply.code === RUN_HELD) return later(job, token, 'its folder is held by another process');
    const message = reply.error ?? `run ended ${reply.status}`;
    log(`${spec.id}: ${reply.status} (${message})`);
    if (isDeterministicFailure(reply.code)) throw new UnrecoverableError(message);
    throw new Error(message);
  };

  const runInChild = (job: Job<RunJobData, RunJobResult>) =>
    new Promise<ChildReply & { type: 'done' }>((resolve) => {
      // Whatever the run prints goes to stderr, like local reproductions' workers.
      const child = fork(childPath, [], { stdio: ['ignore', 2, 2, 'ipc'], execArgv: inheritableExecArgv(), env: { ...process.env, APB_THREADS: threads } });
      children.add(child);
      let done: (ChildReply & { type: 'done' }) | undefined;
      child.on('message', (reply: ChildReply) => {
        if (reply.type === 'done') {
          done = reply;
          return;
        }
        options.onProgress?.(job.data.spec.id, reply.event);
        if (reply.event.type === 'epoch') void job.updateProgress({ epoch: reply.event.entry.epoch, epochs: reply.event.epochs }).catch(() => undefined);
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        resolve(done ?? { type: 'done', status: 'failed', error: `run process exited (${signal ?? `code ${String(code)}`}) before finishing` });
      });
      child.send({ type: 'run', spec: job.data.spec, outDir: job.data.outDir } satisfies ChildRequest);
      if (closing) child.send({ type: 'abort' } satisfies ChildRequest);
    });

  const worker = new Worker<RunJobData, RunJobResult>(queueName, processor, {
    connection,
    concurrency,
    name,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 5,
  });
  worker.on('error', (error) => log(`worker: ${error.message}`));
  await worker.waitUntilReady();
  log(`${name}: waiting for runs on ${options.url} (queue ${queueName}, concurrency ${concurrency}, ${threads} threads per run)`);

  let closed: Promise<void> | undefined;
  return {
    name,
    close() {
      closed ??= (async () => {
        closing = true;
        for (const child of children) if (child.connected) child.send({ type: 'abort' } satisfies ChildRequest);
        await worker.close();
        await queue.close();
      })();
      return closed;
    },
  };
}
