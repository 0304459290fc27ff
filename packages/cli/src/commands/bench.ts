import { Command } from 'commander';
import { z } from 'zod';

import type { BenchDocument, RunBenchOptions } from '../bench/run-bench.js';
import { processOutput, silentOutput, type Output } from '../output.js';

const names = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value),
  z.array(z.string().min(1)).min(1, 'needs at least one name (comma-separated)'),
);

/** Options of `apb bench`, passed through to the bench harness (`bench/run-bench.ts`). */
export const benchOptionsSchema = z.strictObject({
  quick: z.boolean().default(false),
  /** Backends to measure (comma-separated on the command line); default every available one. */
  backend: names.optional(),
  /** Suites to run (comma-separated); default all. */
  suite: names.optional(),
  /** JSON file the results are written to (default bench-results/bench-<time>.json). */
  out: z.string().min(1, 'must name a file').optional(),
  /** PyTorch reference figures to compare with, handed to the harness as is. */
  comparePytorch: z.union([z.boolean(), z.string().min(1)]).optional(),
  json: z.boolean().default(false),
});

/** Options of {@link runBenchCommand}. */
export type BenchOptions = z.input<typeof benchOptionsSchema>;

/**
 * Runs the bench harness with the parsed options. The harness prints its JSON document on stdout
 * itself (only when `print`), so progress lines go to the output's info stream.
 */
export async function runBenchCommand(options: BenchOptions, output: Output = silentOutput, print = false): Promise<BenchDocument> {
  const parsed = benchOptionsSchema.parse(options);
  const { runBench } = await import('../bench/run-bench.js');
  const harnessOptions: RunBenchOptions = {
    quick: parsed.quick,
    log: output.info,
    print,
    ...(parsed.backend === undefined ? {} : { backends: parsed.backend }),
    ...(parsed.suite === undefined ? {} : { suites: parsed.suite }),
    ...(parsed.out === undefined ? {} : { out: parsed.out }),
    ...(parsed.comparePytorch === undefined ? {} : { comparePytorch: parsed.comparePytorch }),
  };
  return runBench(harnessOptions);
}

/** `apb bench`. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure speed (images/s, seconds) of kernels, layers, attacks and training; prints one JSON document')
    .option('--quick', 'shorten every measurement (CI smoke run)')
    .option('--backend <list>', 'backends to measure, comma-separated (default: every available one)')
    .option('--suite <list>', 'suites to run, comma-separated (default: all)')
    .option('--out <file>', 'write the JSON here (default bench-results/bench-<time>.json)')
    .option('--compare-pytorch [file]', 'compare with PyTorch reference figures (passed to the harness)')
    .option('--json', 'print the JSON document on stdout (the default; kept for symmetry with the other commands)')
    .addHelpText('after', '\nExamples:\n  $ apb bench --quick\n  $ apb bench --backend wasm,cpu --suite training --out bench.json')
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: true });
      const document = await runBenchCommand(flags, output, true);
      if (document.errors.length > 0) process.exitCode = 1;
    });
}
