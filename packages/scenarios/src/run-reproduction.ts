import { ApbError } from '@apb/core';
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inheritableExecArgv, portablePath, writeFileAtomic } from '@apb/core';
import { executeSpec } from './execute-spec.js';
import { hasSavedModel } from './model-files.js';
import { planReproduction, type Figure, type Preset, type RunSpec } from './plan.js';
import { isRunHeldError, RUN_HELD } from './run-lease.js';
import { tryReadRunRecord } from './run-record-io.js';
import type { TrainConfigInput } from './train-config.js';
import type { TrainProgress } from './train-run.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * How one spec of a reproduction ended. `skipped`: already complete; `held`: another process is
 * writing its folder, so it was left to that one; `blocked`: a dependency did not complete;
 * `pending`: not started because the reproduction was stopped.
 */
export type SpecOutcome = 'complete' | 'skipped' | 'held' | 'interrupted' | 'failed' | 'blocked' | 'pending';

/** Progress of a reproduction: specs starting and ending, and the current spec's training progress. */
export type ReproductionProgress =
  /** `index` counts from 0 among the `total` specs this invocation has to run (skipped ones excluded). */
  | { type: 'start'; id: string; index: number; total: number }
  | { type: 'end'; id: string; outcome: SpecOutcome; error?: string }
  | { type: 'run'; id: string; event: TrainProgress };

/** Options of {@link runReproduction}. */
export interface ReproductionOptions {
  figure?: Figure;
  preset?: Preset;
  /** Run these specs instead of a figure's plan (custom sweeps, tests). */
  specs?: RunSpec[];
  outDir: string;
  /** Every run of the figure's plan once per seed (default: seed 1). */
  seeds?: number[];
  /** Specs run in parallel child processes when > 1. Default 1 (in this process). */
  jobs?: number;
  dataDir?: string;
  backend?: TrainConfigInput['backend'];
  adversarialSource?: 'online' | 'precomputed';
  onProgress?: (event: ReproductionProgress) => void;
  /** Stops every running spec between batches (they end `interrupted`) and starts no new one. */
  signal?: AbortSignal;
  /** The worker module to fork; default this package's `dist/worker.js`. */
  workerPath?: string;
}

/** What {@link runReproduction} did. */
export interface ReproductionSummary {
  outDir: string;
  runs: { id: string; runJson: string; outcome: SpecOutcome; roles: string[]; error?: string }[];
  seconds: number;
}

function defaultWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  // From the TypeScript sources (tests), the worker is the built one.
  return here.endsWith('.ts') ? fileURLToPath(new URL('../dist/worker.js', import.meta.url)) : fileURLToPath(new URL('./worker.js', import.meta.url));
}

/**
 * Runs a reproduction plan: sources and other dependencies first, specs whose `run.json` is already
 * complete skipped (so a restart resumes), specs whose folder another process is writing left to
 * it (`held`), up to `jobs` specs at a time in child processes. Writes
 * `outDir/reproduction.json` (the plan, with each spec's outcome) and returns the summary.
 */
export async function runReproduction(options: ReproductionOptions): Promise<ReproductionSummary> {
  const started = performance.now();
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new ApbError(`Option "jobs" must be a whole number >= 1, got ${String(jobs)}.`, { code: 'BAD_OPTION', suggestion: 'Pass --jobs 1 or more (at most the number of cores).' });
  }
  const overrides: Omit<TrainConfigInput, 'evaluation'> = {};
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
  if (options.backend !== undefined) overrides.backend = options.backend;
  const specs =
    options.specs ??
    planReproduction({ figure: options.figure ?? 'all', preset: options.preset ?? 'quick', adversarialSource: options.adversarialSource, overrides, seeds: options.seeds });
  const outcomes = new Map<string, { outcome: SpecOutcome; error?: string }>();
  const emit = options.onProgress ?? (() => undefined);

  for (const spec of specs) {
    const existing = await tryReadRunRecord(join(options.outDir, spec.id, 'run.json'));
    if (existing?.status === 'complete' && JSON.stringify(existing.config) === JSON.stringify(spec.config)) outcomes.set(spec.id, { outcome: 'skipped' });
  }
  const retrain = await modelsToRetrain(specs, new Set(outcomes.keys()), options.outDir);
  for (const id of retrain) outcomes.delete(id);
  const pending = specs.filter((spec) => !outcomes.has(spec.id)).map((spec) => (retrain.has(spec.id) ? { ...spec, retrainModel: true as const } : spec));
  const settled = (id: string) => outcomes.get(id)?.outcome;
  const ready = (spec: RunSpec) => spec.dependsOn.every((id) => ['complete', 'skipped'].includes(settled(id) ?? (specs.some((s) => s.id === id) ? '' : 'complete')));
  const blocked = (spec: RunSpec) => spec.dependsOn.some((id) => ['failed', 'interrupted', 'blocked', 'held'].includes(settled(id) ?? ''));
  let startedCount = 0;

  const runner = jobs === 1 ? inProcessRunner(options) : await forkedRunner(Math.min(jobs, Math.max(pending.length, 1)), options);
  try {
    const running = new Set<Promise<void>>();
    for (;;) {
      for (const spec of pending) {
        if (!outcomes.has(spec.id) && blocked(spec)) {
          outcomes.set(spec.id, { outcome: 'blocked' });
          emit({ type: 'end', id: spec.id, outcome: 'blocked' });
        }
      }
      const next = options.signal?.aborted ? undefined : pending.find((spec) => !outcomes.has(spec.id) && ready(spec) && !runner.busy(spec.id));
      if (next && runner.free()) {
        emit({ type: 'start', id: next.id, index: startedCount++, total: pending.length });
        const task: Promise<void> = runner.run(next).then((result) => {
          outcomes.set(next.id, result);
          emit({ type: 'end', id: next.id, ...result });
          running.delete(task);
        });
        running.add(task);
        continue;
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
  } finally {
    runner.close();
  }

  const summary: ReproductionSummary = {
    outDir: options.outDir,
    runs: specs.map((spec) => {
      const result = outcomes.get(spec.id) ?? { outcome: 'pending' as const };
      return { id: spec.id, runJson: join(options.outDir, spec.id, 'run.json'), roles: spec.roles, ...result };
    }),
    seconds: (performance.now() - started) / 1000,
  };
  await writeReproductionRecord(summary, specs, { figure: options.figure, preset: options.preset, jobs });
  return summary;
}

/**
 * Writes `reproduction.json` in the summary's folder: the plan (without configurations) and each
 * spec's outcome. Paths in the file are relative to the folder, so a results folder can be moved
 * or committed. Shared by local and queued reproductions, so both leave the same file.
 */
export async function writeReproductionRecord(
  summary: ReproductionSummary,
  specs: RunSpec[],
  meta: { figure?: Figure | undefined; preset?: Preset | undefined; jobs?: number | undefined; queue?: string },
): Promise<void> {
  const portable = {
    ...summary,
    outDir: '.',
    runs: summary.runs.map((run) => ({ ...run, runJson: portablePath(summary.outDir, run.runJson) })),
  };
  const header = { figure: meta.figure ?? null, preset: meta.preset ?? null, jobs: meta.jobs ?? null, ...(meta.queue === undefined ? {} : { queue: meta.queue }) };
  await writeFileAtomic(
    join(summary.outDir, 'reproduction.json'),
    `${JSON.stringify({ ...header, ...portable, specs: specs.map(({ config: _config, ...rest }) => rest) }, null, 2)}\n`,
  );
}

interface Runner {
  free(): boolean;
  busy(id: string): boolean;
  run(spec: RunSpec): Promise<{ outcome: SpecOutcome; error?: string }>;
  close(): void;
}

function inProcessRunner(options: ReproductionOptions): Runner {
  let current: string | undefined;
  return {
    free: () => current === undefined,
    busy: (id) => current === id,
    async run(spec) {
      current = spec.id;
      try {
        const record = await executeSpec(spec, options.outDir, { signal: options.signal, onProgress: (event) => options.onProgress?.({ type: 'run', id: spec.id, event }) });
        return record.error === undefined ? { outcome: record.status } : { outcome: record.status, error: record.error };
      } catch (error) {
        return { outcome: isRunHeldError(error) ? 'held' : 'failed', error: error instanceof Error ? error.message : String(error) };
      } finally {
        current = undefined;
      }
    },
    close: () => undefined,
  };
}

async function forkedRunner(count: number, options: ReproductionOptions): Promise<Runner> {
  const workerPath = options.workerPath ?? defaultWorkerPath();
  if (!existsSync(workerPath)) {
    throw new ApbError(`The reproduction worker ${workerPath} does not exist.`, {
      code: 'WORKER_MISSING',
      suggestion: 'Build @apb/scenarios (pnpm --filter @apb/scenarios build), or run with --jobs 1.',
    });
  }
  const workers: { child: ChildProcess; current?: string; finish?: (result: { outcome: SpecOutcome; error?: string }) => void }[] = [];
  for (let i = 0; i < count; i += 1) {
    // Ctrl-C reaches the children directly; the parent only forwards its own abort signal. Whatever
    // a worker prints goes to stderr, so a command's --json output on stdout stays clean.
    // Each worker gets its share of the cores, so N multi-threaded backends do not oversubscribe them.
    const threads = process.env.APB_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / count)));
    const child = fork(workerPath, [], { stdio: ['ignore', 2, 2, 'ipc'], execArgv: inheritableExecArgv(), env: { ...process.env, APB_THREADS: threads } });
    const worker: (typeof workers)[number] = { child };
    child.on('message', (reply: WorkerReply) => {
      if (reply.type === 'progress') options.onProgress?.({ type: 'run', id: reply.id, event: reply.event });
      else worker.finish?.(reply.error === undefined ? { outcome: reply.status } : { outcome: reply.code === RUN_HELD ? 'held' : reply.status, error: reply.error });
    });
    child.on('exit', (code, signal) => worker.finish?.({ outcome: 'failed', error: `worker exited (${signal ?? `code ${code}`})` }));
    workers.push(worker);
  }
  const abort = () => workers.forEach((worker) => worker.current && worker.child.send({ type: 'abort' } satisfies WorkerRequest));
  options.signal?.addEventListener('abort', abort);
  return {
    free: () => workers.some((worker) => worker.current === undefined),
    busy: (id) => workers.some((worker) => worker.current === id),
    run(spec) {
      const worker = workers.find((candidate) => candidate.current === undefined)!;
      worker.current = spec.id;
      return new Promise((resolve) => {
        worker.finish = (result) => {
          worker.current = undefined;
          worker.finish = undefined;
          resolve(result);
        };
        worker.child.send({ type: 'run', spec, outDir: options.outDir } satisfies WorkerRequest);
      });
    },
    close() {
      options.signal?.removeEventListener('abort', abort);
      for (const worker of workers) {
        worker.finish = undefined;
        if (worker.child.connected) worker.child.disconnect();
      }
    },
  };
}

/**
 * Complete training runs to train again because a spec still to run needs their saved model and
 * their folder lacks it: the model of an evaluate spec's run, the source models of a training run.
 * A run retrained for that needs its own sources' models in turn.
 */
async function modelsToRetrain(specs: RunSpec[], skipped: ReadonlySet<string>, outDir: string): Promise<Set<string>> {
  const retrain = new Set<string>();
  const needed = (spec: RunSpec): string[] => (spec.kind === 'evaluate' ? [spec.from!] : Object.values(spec.sources ?? {}));
  let queue = specs.filter((spec) => !skipped.has(spec.id));
  while (queue.length > 0) {
    const next: RunSpec[] = [];
    for (const id of new Set(queue.flatMap(needed))) {
      if (!skipped.has(id) || retrain.has(id) || (await hasSavedModel(join(outDir, id)))) continue;
      retrain.add(id);
      const spec = specs.find((candidate) => candidate.id === id);
      if (spec) next.push(spec);
    }
    queue = next;
  }
  return retrain;
}
