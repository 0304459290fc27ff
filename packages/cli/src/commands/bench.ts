import { Command } from 'commander';
import { z } from 'zod';

import { cliError } from '../cli-error.js';
import { processOutput, silentOutput, type Output } from '../output.js';

/** Options of `apb bench`, passed through to the bench harness. */
export const benchOptionsSchema = z.strictObject({
  quick: z.boolean().default(false),
  /** Backends to measure (comma-separated on the command line); default every available one. */
  backend: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .optional(),
  /** Suites to run (comma-separated); default all. */
  suite: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .optional(),
  /** JSON file the results are written to. */
  out: z.string().min(1, 'must name a file').optional(),
  /** Compare with a PyTorch reference run (see the bench README). */
  comparePytorch: z.union([z.boolean(), z.string().min(1)]).optional(),
  json: z.boolean().default(false),
});

/** Options of {@link runBenchCommand}. */
export type BenchOptions = z.input<typeof benchOptionsSchema>;

/** The harness's entry point, as `bench/run-bench.ts` exports it. */
type RunBench = (options: Record<string, unknown>, output?: unknown) => Promise<unknown>;

/**
 * Runs the bench harness (`bench/run-bench.ts`, written with the suites) with the parsed options.
 * The module is loaded by path so the CLI still builds while the harness is being written.
 */
export async function runBenchCommand(options: BenchOptions, output: Output = silentOutput): Promise<unknown> {
  const parsed = benchOptionsSchema.parse(options);
  const modulePath = '../bench/run-bench.js';
  let runBench: RunBench | undefined;
  try {
    runBench = ((await import(modulePath)) as { runBench?: RunBench }).runBench;
  } catch (error) {
    throw cliError('BENCH_UNAVAILABLE', 'The bench harness (bench/run-bench) is not part of this build.', 'Build @apb/cli from a checkout that has packages/cli/src/bench/run-bench.ts.', error);
  }
  if (runBench === undefined) throw cliError('BENCH_UNAVAILABLE', 'bench/run-bench does not export runBench.', 'Rebuild @apb/cli.');
  const { json: _json, ...rest } = parsed;
  return runBench({ ...rest, log: output.info }, output);
}

/** `apb bench`. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure speed (images/s, seconds) of kernels, layers, attacks and training; prints JSON')
    .option('--quick', 'shorten every measurement (CI smoke run)')
    .option('--backend <list>', 'backends to measure, comma-separated (default: every available one)')
    .option('--suite <list>', 'suites to run, comma-separated (default: all)')
    .option('--out <file>', 'write the results as JSON to this file')
    .option('--compare-pytorch [file]', 'compare with PyTorch reference figures')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExamples:\n  $ apb bench --quick\n  $ apb bench --backend wasm,cpu --suite training --out bench.json')
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      const result = await runBenchCommand(flags as BenchOptions, output);
      if (flags.json === true || flags.out === undefined) output.log(JSON.stringify(result, null, 2));
    });
}
