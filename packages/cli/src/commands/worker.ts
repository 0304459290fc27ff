import type { QueueWorker } from '@apb/queue';
import { Command } from 'commander';
import { z } from 'zod';

import { processOutput, silentOutput, type Output } from '../output.js';

const positiveWhole = (what: string) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive(`must be at least 1${what}`);

/** Options of `apb worker`. */
export const workerOptionsSchema = z.strictObject({
  /** `redis://HOST:PORT[/DB]`. */
  queue: z.string({ error: 'is required: the Redis URL of the queue, e.g. redis://10.0.0.5:6379' }).min(1, 'must be a Redis URL'),
  /** Runs at a time on this machine. */
  concurrency: positiveWhole('').default(1),
  /** Threads per run (default: the cores shared among the runs, as with --jobs). */
  threads: positiveWhole('').optional(),
  /** Shown by `apb status` (default host:pid). */
  name: z.string().min(1, 'must not be empty').optional(),
  /** Seconds a dead worker's run stays locked before another worker takes it over. */
  lockSeconds: positiveWhole(' second').default(30),
});

/** Options of {@link runWorker}. */
export type WorkerOptions = z.input<typeof workerOptionsSchema>;

/**
 * Starts a queue worker on this machine: it takes runs from the queue at `--queue` and trains
 * them, each in a child process, into the reproduction's shared folder. Returns once it listens;
 * close the returned worker to stop (its runs go back to the queue).
 */
export async function runWorker(options: WorkerOptions, output: Output = silentOutput): Promise<QueueWorker> {
  const parsed = workerOptionsSchema.parse(options);
  const { startQueueWorker } = await import('@apb/queue');
  const lockDurationMs = parsed.lockSeconds * 1000;
  return startQueueWorker({
    url: parsed.queue,
    concurrency: parsed.concurrency,
    lockDurationMs,
    stalledIntervalMs: lockDurationMs,
    ...(parsed.threads === undefined ? {} : { threads: parsed.threads }),
    ...(parsed.name === undefined ? {} : { name: parsed.name }),
    log: (line) => output.info(`apb worker: ${line}`),
  });
}

/** `apb worker`. */
export function workerCommand(): Command {
  return new Command('worker')
    .description('take runs of `apb reproduce --queue` from a Redis queue and train them here, into the shared --out folder')
    .option('--queue <url>', 'the Redis URL of the queue: redis://HOST:PORT[/DB]')
    .option('--concurrency <n>', 'runs at a time on this machine, each in its own process (default 1)')
    .option('--threads <n>', 'threads per run (default: the cores shared among the runs)')
    .option('--name <name>', 'this worker\'s name in `apb status` (default host:pid)')
    .option('--lock-seconds <s>', 'a killed worker\'s run is taken over by another worker this long after (default 30)')
    .addHelpText(
      'after',
      `
The reproduction's --out folder must be reachable at the same path on every machine (NFS or another
shared file system), and the data sets too (APB_DATA_DIR or --data-dir of apb reproduce).
SIGTERM or Ctrl-C stops the runs between batches, keeps their checkpoints and gives them back to the queue.

Examples:
  $ apb worker --queue redis://10.0.0.5:6379
  $ apb worker --queue redis://10.0.0.5:6379/1 --concurrency 4 --threads 2 --name gpu-box`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput();
      const worker = await runWorker(flags as WorkerOptions, output);
      await new Promise<void>((resolve) => {
        const stop = () => {
          output.info('apb worker: stopping; running runs stop after this batch and go back to the queue');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
