import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { z } from 'zod';

import { colors, processOutput, silentOutput, type Output } from '../output.js';
import { writeFileAtomic } from '../write-atomic.js';
import { runReport, type ReportResult } from './report.js';
import { trainProgressBar } from './train.js';

/** Options of `apb reproduce`. */
export const reproduceOptionsSchema = z.strictObject({
  figure: z.enum(['2', '3a', '3b', 'all']).default('all'),
  preset: z.enum(['smoke', 'quick', 'paper']).default('smoke'),
  /** Default: `runs/<preset>`. */
  out: z.string().min(1, 'must name a folder').optional(),
  jobs: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be at least 1').default(1),
  dataDir: z.string().min(1, 'must not be empty').optional(),
  backend: z.enum(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).optional(),
  /** Write report.md and report.html when the runs are done. */
  report: z.boolean().default(true),
  json: z.boolean().default(false),
});

/** Options of {@link runReproduce}. */
export type ReproduceOptions = z.input<typeof reproduceOptionsSchema>;

/** One run of a reproduction as `reproduce.json` records it. */
export interface ReproducedRun {
  id: string;
  dir: string;
  status: string;
  /** Already complete from an earlier invocation, so not trained again. */
  skipped: boolean;
}

/** The summary `apb reproduce` writes to `OUT/reproduce.json`. */
export interface ReproduceSummary {
  preset: string;
  figure: string;
  out: string;
  startedAt: string;
  finishedAt: string;
  /** Wall time of this invocation (runs skipped as finished cost nothing here). */
  seconds: number;
  runs: ReproducedRun[];
  report?: { markdown: string; html: string };
}

/**
 * Plans the paper's experiments for `figure` and `preset`, trains and evaluates every run not
 * already complete in `out` (so a restart resumes), writes `reproduce.json` and the report.
 */
export async function runReproduce(options: ReproduceOptions, output: Output = silentOutput): Promise<ReproduceSummary> {
  const parsed = reproduceOptionsSchema.parse(options);
  const out = resolve(parsed.out ?? join('runs', parsed.preset));
  const { planReproduction, runReproduction } = await import('@apb/scenarios');
  const started = new Date();
  const plan = planReproduction({
    figure: parsed.figure,
    preset: parsed.preset,
    outDir: out,
    ...(parsed.dataDir === undefined ? {} : { dataDir: parsed.dataDir }),
    ...(parsed.backend === undefined ? {} : { backend: parsed.backend }),
  });
  output.info(`apb reproduce: ${plan.runs.length} runs (figure ${parsed.figure}, preset ${parsed.preset}) in ${out}`);
  const progress = trainProgressBar(output, 'reproduce');
  let results;
  try {
    results = await runReproduction(plan, {
      jobs: parsed.jobs,
      onProgress: (event) => {
        if (event.type === 'run') output.info(`[${event.index + 1}/${event.total}] ${event.id}: ${event.status}`);
        else progress.onProgress(event.event);
      },
    });
  } finally {
    progress.stop();
  }
  const finished = new Date();
  const summary: ReproduceSummary = {
    preset: parsed.preset,
    figure: parsed.figure,
    out,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    runs: results.map((result) => ({ id: result.id, dir: result.outDir, status: result.record?.status ?? 'failed', skipped: result.skipped })),
  };
  if (parsed.report) {
    const report: ReportResult = await runReport({ dir: out }, output);
    summary.report = { markdown: report.markdownPath, html: report.htmlPath };
  }
  await writeFileAtomic(join(out, 'reproduce.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** `apb reproduce`. */
export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("run the paper's experiments (Figures 2, 3a, 3b) end to end and write the report; finished runs are skipped on restart")
    .option('--figure <which>', '2 | 3a | 3b | all (default all)')
    .option('--preset <name>', 'smoke (minutes, small subsets) | quick (full data, few epochs) | paper (500 epochs, for GPUs); default smoke')
    .option('--out <dir>', 'folder of the runs and the report (default runs/<preset>)')
    .option('--jobs <n>', 'runs trained at the same time (default 1)')
    .option('--data-dir <dir>', 'directory holding the datasets (default $APB_DATA_DIR, then the cache)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu')
    .option('--no-report', 'skip writing report.md and report.html')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ apb reproduce --preset smoke --out runs/smoke
  $ apb reproduce --figure 2 --preset quick --out runs/quick --jobs 2
  $ apb reproduce --preset paper --backend tensorflow-gpu --out runs/paper   # rerun the same line to resume`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      const summary = await runReproduce(flags, output);
      if (flags.json === true) {
        output.log(JSON.stringify(summary, null, 2));
        return;
      }
      const c = colors(output.interactive);
      const failed = summary.runs.filter((run) => run.status !== 'complete');
      output.log(`${c.bold('apb reproduce')}: ${summary.runs.length} runs (${summary.runs.filter((r) => r.skipped).length} already done), ${failed.length} not complete, ${summary.seconds.toFixed(0)} s`);
      for (const run of failed) output.log(c.red(`  ${run.id}: ${run.status} (${run.dir})`));
      if (summary.report !== undefined) output.log(`report: ${summary.report.markdown}\n        ${summary.report.html}`);
      if (failed.length > 0) process.exitCode = 1;
    });
}
