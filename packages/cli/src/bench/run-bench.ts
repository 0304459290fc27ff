import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { listBackends, tfjsVersions } from '@apb/backend';
import { ApbError, writeFileAtomicSync } from '@apb/core';
import { version_layers } from '@tensorflow/tfjs-layers';

import { machineInfo, type MachineInfo } from './machine.js';
import type { BenchContext, BenchResult, BenchSuite } from './suite.js';
import { suites as allSuites } from './suites.js';

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Shorter measurements (CI smoke runs); figures are then rough. */
  quick?: boolean;
  /** Backends to measure; default every one available here. */
  backends?: string[];
  /** Where to write the JSON; default `bench-results/bench-<ISO time>.json` under the repo root. */
  out?: string;
  /** Names of the suites to run; default all of `suites.ts`. */
  suites?: string[];
  /** Progress lines (stderr by default, so stdout carries only the JSON). */
  log?: (line: string) => void;
  /** Compare with PyTorch (suites that can): true to measure it, or a file of its earlier figures. */
  comparePytorch?: boolean | string;
  /** Print the JSON document on stdout; default true. */
  print?: boolean;
}

/** The JSON document a bench run prints and writes. */
export interface BenchDocument {
  schemaVersion: 1;
  createdAt: string;
  quick: boolean;
  machine: MachineInfo;
  versions: Record<string, string>;
  backends: string[];
  suites: string[];
  results: BenchResult[];
  /** Suites that failed, with the first line of their error; the others still ran. */
  errors: { suite: string; message: string }[];
  /** Where the document was written. */
  file: string;
}

/** The nearest folder at or above `from` holding `pnpm-workspace.yaml`, else `from`. */
export function repoRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** Runs the given suites and collects results and errors (the testable core of {@link runBench}). */
export async function runSuites(
  selected: BenchSuite[],
  context: BenchContext,
): Promise<{ results: BenchResult[]; errors: { suite: string; message: string }[] }> {
  const results: BenchResult[] = [];
  const errors: { suite: string; message: string }[] = [];
  for (const suite of selected) {
    context.log(`suite ${suite.name}: ${suite.description}`);
    try {
      results.push(...(await suite.run(context)));
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      context.log(`suite ${suite.name} failed: ${message}`);
      errors.push({ suite: suite.name, message });
    }
  }
  return { results, errors };
}

/**
 * Runs every bench suite of `suites.ts` (or those named), prints one JSON document on stdout and
 * writes it atomically to `bench-results/bench-<ISO time>.json` at the repo root (or `out`).
 * This is the seam `apb bench` and `pnpm bench` share.
 *
 * @throws ApbError `BENCH_UNKNOWN_SUITE` / `BENCH_UNKNOWN_BACKEND` for names that do not exist here.
 */
export async function runBench(options: RunBenchOptions = {}): Promise<BenchDocument> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick ?? false;
  const selected = options.suites === undefined ? allSuites : options.suites.map((name) => {
    const suite = allSuites.find((s) => s.name === name);
    if (suite === undefined) {
      throw new ApbError(`Unknown bench suite '${name}'.`, {
        code: 'BENCH_UNKNOWN_SUITE',
        suggestion: `Use --suite with one of: ${allSuites.map((s) => s.name).join(', ')}.`,
      });
    }
    return suite;
  });
  const availability = await listBackends();
  const available = availability.filter((entry) => entry.available).map((entry) => entry.backend as string);
  const backends = options.backends ?? available;
  for (const backend of backends) {
    if (!available.includes(backend)) {
      const entry = availability.find((e) => e.backend === backend);
      throw new ApbError(`Cannot bench backend '${backend}': ${entry?.reason ?? 'no such backend'}.`, {
        code: 'BENCH_UNKNOWN_BACKEND',
        suggestion: `Use --backend with one of the backends available here: ${available.join(', ')}.`,
      });
    }
  }

  const createdAt = new Date().toISOString();
  const file = resolve(options.out ?? join(repoRoot(process.cwd()), 'bench-results', `bench-${createdAt.replace(/:/g, '-')}.json`));
  const { results, errors } = await runSuites(selected, {
    quick,
    backends,
    log,
    ...(options.comparePytorch === undefined ? {} : { comparePytorch: options.comparePytorch }),
  });
  const document: BenchDocument = {
    schemaVersion: 1,
    createdAt,
    quick,
    machine: machineInfo(),
    versions: { ...tfjsVersions(), '@tensorflow/tfjs-layers': version_layers },
    backends,
    suites: selected.map((suite) => suite.name),
    results,
    errors,
    file,
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  writeFileAtomicSync(file, text);
  if (options.print ?? true) process.stdout.write(text);
  return document;
}
