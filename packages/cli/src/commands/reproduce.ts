import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSpec } from '@apb/scenarios';
import { z } from 'zod';

import { colors, processOutput, silentOutput, type Output } from '../output.js';
import { BACKENDS, listOf } from '../train-flags.js';
import { portablePath, writeFileAtomic } from '@apb/core';
import { runReport, type ReportResult } from './report.js';
import { trainProgressBar } from './train.js';

/** Options of `apb reproduce`. */
export const reproduceOptionsSchema = z.strictObject({
  figure: z.enum(['2', '3a', '3b', 'all', 'masking']).default('all'),
  preset: z.enum(['smoke', 'quick', 'long', 'paper']).default('smoke'),
  /** Default: `runs/<preset>`. */
  out: z.string().min(1, 'must name a folder').optional(),
  jobs: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be at least 1').default(1),
  /** Every run once per seed (default: seed 1 only). */
  seeds: listOf(z.coerce.number({ error: 'must be numbers' }).int('must be whole numbers').nonnegative('must be >= 0')).optional(),
  dataDir: z.string().min(1, 'must not be empty').optional(),
  backend: z.enum(BACKENDS).optional(),
  /** Where adversarial training examples come from (default online, as scenarios plans it). */
  adversarialSource: z.enum(['online', 'precomputed']).optional(),
  /**
   * `redis://HOST:PORT[/DB]`: queue the runs for `apb worker`s (on any machine reaching `out`) and
   * wait for them instead of training here.
   */
  queue: z.string().min(1, 'must be a Redis URL, e.g. redis://10.0.0.5:6379').optional(),
  /** With `queue`: put the queue's failed runs back with fresh attempts. */
  retryFailed: z.boolean().default(false),
  /** Print the plan and its estimated core-hours (from a short measured epoch per kind of run); train nothing. */
  dryRun: z.boolean().default(false),
  /** Training images of each measured epoch of `dryRun`. */
  measureImages: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(100, 'must be at least 100').default(2000),
  /** Write report.md and report.html when the runs are done. */
  report: z.boolean().default(true),
  json: z.boolean().default(false),
});

/** Options of {@link runReproduce}. */
export type ReproduceOptions = z.input<typeof reproduceOptionsSchema>;

/** One run of a reproduction and how it ended this time. */
export interface ReproducedRun {
  id: string;
  runJson: string;
  /**
   * `skipped`: already complete from an earlier invocation; `held`: another process is writing it;
   * `blocked`: a dependency did not complete.
   */
  outcome: string;
  roles: string[];
  error?: string;
}

/** One `apb reproduce` into a folder. */
export interface Invocation {
  startedAt: string;
  seconds: number;
  trained: number;
  skipped: number;
  /** Absent in summaries written before invocations recorded them (then the summary's own). */
  figure?: string;
  preset?: string;
  seeds?: number[];
}

/** The summary `apb reproduce` writes to `OUT/reproduce.json` (the plan itself is in `reproduction.json`). */
export interface ReproduceSummary {
  preset: string;
  figure: string;
  out: string;
  startedAt: string;
  finishedAt: string;
  /** Wall time of this invocation (runs skipped as finished cost nothing here). */
  seconds: number;
  /** Wall time of every invocation into this folder, summed: the cost of the whole reproduction. */
  totalSeconds: number;
  /** Every invocation into this folder, oldest first, with the figure, preset and seeds it ran. */
  invocations: Invocation[];
  /** Every run any invocation planned (the newest outcome of each), in first-planned order. */
  runs: ReproducedRun[];
  report?: { markdown: string; html: string };
}

/** Extra hooks of {@link runReproduce}. */
export interface RunReproduceHooks {
  output?: Output;
  /** Stops running specs between batches (they end `interrupted`) and starts no new one. */
  signal?: AbortSignal;
}

/**
 * Plans the paper's experiments for `figure` and `preset`, trains and evaluates every run not
 * already complete in `out` (so a restart resumes), writes `reproduce.json` and the report.
 */
export async function runReproduce(options: ReproduceOptions, hooks: RunReproduceHooks = {}): Promise<ReproduceSummary> {
  const output = hooks.output ?? silentOutput;
  const parsed = reproduceOptionsSchema.parse(options);
  const out = resolve(parsed.out ?? join('runs', parsed.preset));
  const { runReproduction } = await import('@apb/scenarios');
  const started = new Date();
  const bars = new Map<string, ReturnType<typeof trainProgressBar>>();
  let result;
  try {
    result = parsed.queue !== undefined ? await reproduceThroughQueue(parsed, parsed.queue, out, output, hooks.signal) : await runReproduction({
      figure: parsed.figure,
      preset: parsed.preset,
      outDir: out,
      jobs: parsed.jobs,
      ...(parsed.seeds === undefined ? {} : { seeds: parsed.seeds }),
      ...(parsed.adversarialSource === undefined ? {} : { adversarialSource: parsed.adversarialSource }),
      ...(parsed.dataDir === undefined ? {} : { dataDir: parsed.dataDir }),
      ...(parsed.backend === undefined ? {} : { backend: parsed.backend }),
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
      onProgress: (event) => {
        if (event.type === 'start') {
          output.info(`[${event.index + 1}/${event.total}] ${event.id}`);
        } else if (event.type === 'end') {
          bars.get(event.id)?.stop();
          bars.delete(event.id);
          output.info(`${event.id}: ${event.outcome}${event.error === undefined ? '' : ` (${event.error})`}`);
        } else {
          let bar = bars.get(event.id);
          if (bar === undefined) {
            bar = trainProgressBar(output, event.id);
            bars.set(event.id, bar);
          }
          bar.onProgress(event.event);
        }
      },
    });
  } finally {
    for (const bar of bars.values()) bar.stop();
  }
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  const current = result.runs.map((run) => ({ id: run.id, runJson: run.runJson, outcome: run.outcome, roles: run.roles, ...(run.error === undefined ? {} : { error: run.error }) }));
  const previous = await readPreviousSummary(out, parsed.preset);
  const invocations: Invocation[] = [
    ...previous.invocations,
    {
      startedAt: started.toISOString(),
      seconds,
      trained: current.filter((run) => run.outcome === 'complete').length,
      skipped: current.filter((run) => run.outcome === 'skipped').length,
      figure: parsed.figure,
      preset: parsed.preset,
      seeds: parsed.seeds ?? [1],
    },
  ];
  // Runs an earlier invocation planned (another figure, other seeds) stay listed: the folder holds them.
  const runs = [...previous.runs.filter((run) => !current.some((now) => now.id === run.id)), ...current];
  const summary: ReproduceSummary = {
    preset: parsed.preset,
    figure: coveredFigures(invocations.map((invocation) => invocation.figure ?? parsed.figure)),
    out,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds,
    totalSeconds: invocations.reduce((total, invocation) => total + invocation.seconds, 0),
    invocations,
    runs,
  };
  // Written before the report so the report can state the reproduction's wall time.
  const summaryPath = join(out, 'reproduce.json');
  await writeFileAtomic(summaryPath, portableSummaryJson(summary));
  if (parsed.report) {
    const report: ReportResult = await runReport({ dir: out }, output);
    summary.report = { markdown: report.markdownPath, html: report.htmlPath };
    await writeFileAtomic(summaryPath, portableSummaryJson(summary));
  }
  return summary;
}

/** The plan the flags describe (figure, preset, seeds, data location, backend), as local mode plans it. */
async function planFromFlags(parsed: z.output<typeof reproduceOptionsSchema>): Promise<RunSpec[]> {
  const { planReproduction } = await import('@apb/scenarios');
  return planReproduction({
    figure: parsed.figure,
    preset: parsed.preset,
    overrides: {
      ...(parsed.dataDir === undefined ? {} : { dataDir: parsed.dataDir }),
      ...(parsed.backend === undefined ? {} : { backend: parsed.backend }),
    },
    ...(parsed.seeds === undefined ? {} : { seeds: parsed.seeds }),
    ...(parsed.adversarialSource === undefined ? {} : { adversarialSource: parsed.adversarialSource }),
  });
}

/**
 * `--queue`: plans as local mode does, queues the runs not complete in `out` for `apb worker`s and
 * waits, printing runs as they start, finish epochs and end on any worker.
 */
async function reproduceThroughQueue(parsed: z.output<typeof reproduceOptionsSchema>, url: string, out: string, output: Output, signal: AbortSignal | undefined) {
  const { runQueuedReproduction, redactQueueUrl } = await import('@apb/queue');
  const specs = await planFromFlags(parsed);
  const where = redactQueueUrl(url);
  return runQueuedReproduction({
    url,
    outDir: out,
    specs,
    figure: parsed.figure,
    preset: parsed.preset,
    retryFailed: parsed.retryFailed,
    ...(signal === undefined ? {} : { signal }),
    onProgress: (event) => {
      if (event.type === 'enqueued') {
        const { added, queued, complete, retried } = event.result;
        output.info(`queued ${added.length} runs on ${where} (${queued.length} already queued, ${retried.length} failed ones retried, ${complete.length} already complete in ${out}); start workers with: apb worker --queue ${where}`);
      } else if (event.type === 'start') output.info(`${event.id}: running`);
      else if (event.type === 'epoch') output.info(`${event.id}: epoch ${event.epoch}/${event.epochs}`);
      else output.info(`[${event.done}/${event.total}] ${event.id}: ${event.outcome}${event.error === undefined ? '' : ` (${event.error})`}`);
    },
  });
}

/** What `apb reproduce --dry-run` found: the plan, and its estimated cost on this machine. */
export interface DryRun {
  figure: string;
  preset: string;
  out: string;
  runs: { id: string; kind: string; roles: string[]; epochs: number; complete: boolean; hours: number }[];
  /** The runs not complete in `out`, by kind. */
  kinds: { kind: string; runs: number; coreHours: number }[];
  coreHours: number;
  /** Hours of one run process at the measured threads, all runs one after another. */
  hours: number;
  threads: number;
  backend: string;
}

/**
 * `--dry-run`: plans like a reproduction, measures one short epoch per kind of training run and a
 * small evaluation per evaluation plan (`measureUnitCosts`), and scales them to the plan's data,
 * epochs and evaluation budgets. Runs already complete in `out` cost nothing.
 */
export async function runReproduceDryRun(options: ReproduceOptions, hooks: RunReproduceHooks = {}): Promise<DryRun> {
  const output = hooks.output ?? silentOutput;
  const parsed = reproduceOptionsSchema.parse(options);
  const out = resolve(parsed.out ?? join('runs', parsed.preset));
  const { measureUnitCosts, estimateReproduction, tryReadRunRecord } = await import('@apb/scenarios');
  const specs = await planFromFlags(parsed);
  const complete = new Set<string>();
  for (const spec of specs) {
    const record = await tryReadRunRecord(join(out, spec.id, 'run.json'));
    if (record?.status === 'complete' && JSON.stringify(record.config) === JSON.stringify(spec.config)) complete.add(spec.id);
  }
  const remaining = specs.filter((spec) => !complete.has(spec.id));
  output.info(`measuring one epoch of ${parsed.measureImages} images per kind of run, and a small evaluation per evaluation plan...`);
  const costs = await measureUnitCosts(remaining.length > 0 ? remaining : specs, { trainImages: parsed.measureImages, log: (line) => output.info(line), ...(hooks.signal === undefined ? {} : { signal: hooks.signal }) });
  const all = estimateReproduction(specs, costs);
  const left = estimateReproduction(remaining, costs);
  const toCoreHours = (seconds: number) => (seconds * costs.threads) / 3600;
  return {
    figure: parsed.figure,
    preset: parsed.preset,
    out,
    runs: all.runs.map((run, index) => ({
      id: run.id,
      kind: run.kind,
      roles: specs[index]!.roles,
      epochs: run.epochs,
      complete: complete.has(run.id),
      hours: toCoreHours(run.trainSeconds + run.evaluationSeconds),
    })),
    kinds: left.kinds.map((kind) => ({ kind: kind.kind, runs: kind.runs, coreHours: toCoreHours(kind.seconds) })),
    coreHours: left.coreHours,
    hours: left.seconds / 3600,
    threads: costs.threads,
    backend: costs.backend,
  };
}

/** The dry run as lines for a terminal. */
export function formatDryRun(dryRun: DryRun): string[] {
  const hours = (value: number) => (value < 0.1 ? value.toFixed(3) : value.toFixed(1));
  const width = Math.max(...dryRun.runs.map((run) => run.id.length), 2);
  const kindWidth = Math.max(...dryRun.runs.map((run) => run.kind.length), 4);
  const done = dryRun.runs.filter((run) => run.complete).length;
  return [
    `apb reproduce --dry-run: figure ${dryRun.figure}, preset ${dryRun.preset}, ${dryRun.runs.length} runs${done > 0 ? ` (${done} already complete in ${dryRun.out})` : ''}`,
    `  ${'id'.padEnd(width)}  ${'kind'.padEnd(kindWidth)}  epochs  core-hours  roles`,
    ...dryRun.runs.map((run) => `  ${run.id.padEnd(width)}  ${run.kind.padEnd(kindWidth)}  ${String(run.epochs).padStart(6)}  ${(run.complete ? 'done' : hours(run.hours)).padStart(10)}  ${run.roles.join(',')}`),
    'estimated cost of the runs left, per kind:',
    ...dryRun.kinds.map((kind) => `  ${kind.kind.padEnd(kindWidth)}  ${String(kind.runs).padStart(3)} runs  ${hours(kind.coreHours).padStart(10)} core-hours`),
    `total: ${hours(dryRun.coreHours)} core-hours (${hours(dryRun.hours)} h of one run process with ${dryRun.threads} threads, ${dryRun.backend} backend, measured on this machine)`,
  ];
}

/**
 * The summary as written to `reproduce.json`: every path relative to the folder (`out` is `.`), so
 * a results folder can be moved or committed without naming the machine that wrote it. The
 * returned summary keeps absolute paths for the caller.
 */
export function portableSummaryJson(summary: ReproduceSummary): string {
  const local = (path: string) => portablePath(summary.out, path);
  const portable: ReproduceSummary = {
    ...summary,
    out: '.',
    runs: summary.runs.map((run) => ({ ...run, runJson: local(run.runJson) })),
    ...(summary.report === undefined ? {} : { report: { markdown: local(summary.report.markdown), html: local(summary.report.html) } }),
  };
  return `${JSON.stringify(portable, null, 2)}\n`;
}

/**
 * Earlier invocations of the same preset into the folder `out`, and the runs they listed (none
 * when absent or of another preset). Summaries written before paths were relative name the runs by
 * absolute path: each run is found again by its id, wherever the folder now is.
 */
export async function readPreviousSummary(out: string, preset: string): Promise<{ invocations: Invocation[]; runs: ReproducedRun[] }> {
  let previous: Partial<ReproduceSummary>;
  try {
    previous = JSON.parse(await readFile(join(out, 'reproduce.json'), 'utf8')) as Partial<ReproduceSummary>;
  } catch {
    return { invocations: [], runs: [] };
  }
  if (previous.preset !== preset || !Array.isArray(previous.invocations)) return { invocations: [], runs: [] };
  const invocations = previous.invocations.map((invocation) => ({ figure: previous.figure, preset: previous.preset, ...invocation }));
  const runs = (Array.isArray(previous.runs) ? previous.runs : []).map((run) => ({ ...run, runJson: join(out, run.id, 'run.json') }));
  return { invocations, runs };
}

/** The figures a folder's invocations cover together: `all` once 2, 3a and 3b are all there. */
export function coveredFigures(figures: string[]): string {
  const covered = new Set(figures.flatMap((figure) => (figure === 'all' ? ['2', '3a', '3b'] : [figure])));
  return ['2', '3a', '3b'].every((figure) => covered.has(figure)) ? 'all' : [...covered].sort().join(',');
}

/** `apb reproduce`. */
export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("run the paper's experiments (Figures 2, 3a, 3b) end to end and write the report; finished runs are skipped on restart")
    .option('--figure <which>', '2 | 3a | 3b | all (the paper\'s figures; default) | masking (robustness vs training length, evaluated at epochs 1, 2, 5, 10, ...)')
    .option('--preset <name>', 'smoke (minutes, small subsets) | quick (full data, few epochs) | long (100 epochs, for --figure masking) | paper (500 epochs, for GPUs); default smoke')
    .option('--out <dir>', 'folder of the runs and the report (default runs/<preset>)')
    .option('--jobs <n>', 'runs trained at the same time (default 1)')
    .option('--seeds <list>', 'repeat every run once per seed, e.g. 1,2,3, for means and 95% intervals (default 1)')
    .option('--data-dir <dir>', 'directory holding the datasets (default $APB_DATA_DIR, then the cache)')
    .option('--backend <name>', BACKENDS.join(' | '))
    .option('--adversarial-source <src>', 'online (crafted each batch; default) | precomputed (once, against a classical LeNet)')
    .option('--queue <url>', 'queue the runs on Redis (redis://HOST:PORT[/DB]) for `apb worker`s on any machine reaching --out, and wait for them')
    .option('--dry-run', 'print the plan and its estimated core-hours, measured from a short epoch per kind of run; train nothing')
    .option('--measure-images <n>', 'training images of each measured epoch of --dry-run (default 2000)')
    .option('--retry-failed', 'with --queue: put the queue\'s failed runs back with fresh attempts (after fixing their cause)')
    .option('--no-report', 'skip writing report.md and report.html')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ apb reproduce --preset smoke --out runs/smoke
  $ apb reproduce --figure 2 --preset quick --out runs/quick --jobs 2
  $ apb reproduce --figure 3b --preset quick --seeds 1,2,3 --out runs/quick --jobs 2
  $ apb reproduce --preset paper --backend tensorflow-gpu --out runs/paper   # rerun the same line to resume
  $ apb reproduce --preset paper --dry-run                  # the plan and its core-hours, to size a cluster
  $ apb reproduce --preset quick --out /shared/runs/quick --queue redis://10.0.0.5:6379   # then apb worker on each machine`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      if (flags.dryRun === true) {
        const dryRun = await runReproduceDryRun(flags, { output });
        for (const line of flags.json === true ? [JSON.stringify(dryRun, null, 2)] : formatDryRun(dryRun)) output.log(line);
        return;
      }
      const controller = new AbortController();
      const onSignal = () => {
        output.info(flags.queue === undefined ? 'apb: stopping the running specs after this batch; rerun the same command to resume' : 'apb: stopped waiting; the workers go on, rerun the same command to wait again');
        controller.abort();
      };
      process.once('SIGINT', onSignal);
      let summary: ReproduceSummary;
      try {
        summary = await runReproduce(flags, { output, signal: controller.signal });
      } finally {
        process.off('SIGINT', onSignal);
      }
      if (flags.json === true) {
        output.log(JSON.stringify(summary, null, 2));
      } else {
        const c = colors(output.interactive);
        const notDone = summary.runs.filter((run) => run.outcome !== 'complete' && run.outcome !== 'skipped');
        output.log(`${c.bold('apb reproduce')}: ${summary.runs.length} runs (${summary.runs.filter((r) => r.outcome === 'skipped').length} already done), ${notDone.length} not complete, ${summary.seconds.toFixed(0)} s (${summary.totalSeconds.toFixed(0)} s over ${summary.invocations.length} invocations)`);
        for (const run of notDone) output.log(c.red(`  ${run.id}: ${run.outcome}${run.error === undefined ? '' : ` (${run.error})`}`));
        if (notDone.some((run) => run.outcome === 'held')) output.log('  held runs are being written by another apb process; rerun this command once it is done');
        if (summary.report !== undefined) output.log(`report: ${summary.report.markdown}\n        ${summary.report.html}`);
      }
      if (summary.runs.some((run) => run.outcome !== 'complete' && run.outcome !== 'skipped')) process.exitCode = 1;
    });
}
