import type { QueuedRun, QueueStatus } from '@apb/queue';
import { Command } from 'commander';
import { z } from 'zod';

import { colors, processOutput, silentOutput, type Output } from '../output.js';

/** Options of `apb status`. */
export const statusOptionsSchema = z.strictObject({
  /** `redis://HOST:PORT[/DB]`. */
  queue: z.string({ error: 'is required: the Redis URL of the queue, e.g. redis://10.0.0.5:6379' }).min(1, 'must be a Redis URL'),
  json: z.boolean().default(false),
});

/** Options of {@link runStatus}. */
export type StatusOptions = z.input<typeof statusOptionsSchema>;

/** The runs of the queue at `--queue` by state, and the workers connected to it. */
export async function runStatus(options: StatusOptions): Promise<QueueStatus> {
  const parsed = statusOptionsSchema.parse(options);
  const { queueStatus } = await import('@apb/queue');
  return queueStatus({ url: parsed.queue });
}

/** The status as lines for a terminal: counts, then each run not done with its worker or error. */
export function formatStatus(status: QueueStatus, output: Output = silentOutput): string[] {
  const c = colors(output.interactive);
  const line = (run: QueuedRun) =>
    `  ${run.id}${run.worker === undefined ? '' : ` on ${run.worker}`}${run.progress === undefined ? '' : `, epoch ${run.progress.epoch}/${run.progress.epochs}`}${run.error === undefined ? '' : ` (${run.error})`}`;
  const lines = [
    `${c.bold('apb status')} ${status.url}: ${status.waiting.length} waiting, ${status.delayed.length} delayed, ${status.active.length} running, ${status.completed.length} done, ${status.failed.length} failed; workers: ${status.workers.join(', ') || 'none'}`,
  ];
  const sections: [string, QueuedRun[], (text: string) => string][] = [
    ['running', status.active, c.cyan],
    ['waiting', status.waiting, (text) => text],
    ['delayed (a dependency, a held folder or a retry)', status.delayed, c.yellow],
    ['failed', status.failed, c.red],
    ['done', status.completed, c.green],
  ];
  for (const [title, runs, paint] of sections) {
    if (runs.length === 0) continue;
    lines.push(`${title}:`, ...runs.map((run) => paint(line(run))));
  }
  return lines;
}

/** `apb status`. */
export function statusCommand(): Command {
  return new Command('status')
    .description('list the runs of a reproduction queue: waiting, running (on which worker), done, failed')
    .option('--queue <url>', 'the Redis URL of the queue: redis://HOST:PORT[/DB]')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExamples:\n  $ apb status --queue redis://10.0.0.5:6379\n  $ apb status --queue redis://10.0.0.5:6379 --json')
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      const status = await runStatus(flags as StatusOptions);
      if (flags.json === true) output.log(JSON.stringify(status, null, 2));
      else for (const line of formatStatus(status, output)) output.log(line);
    });
}
