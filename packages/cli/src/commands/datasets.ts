import type { DatasetsReport } from '@apb/datasets';
import { Command } from 'commander';
import { z } from 'zod';

import { colors, processOutput, silentOutput, type Output } from '../output.js';
import { createProgress } from '../progress.js';

/** Options of `apb datasets list|verify|fetch`. */
export const datasetsOptionsSchema = z.strictObject({
  action: z.enum(['list', 'verify', 'fetch']),
  /** Data sets to act on; default every registered one. */
  names: z.array(z.string().min(1)).optional(),
  dataDir: z.string().min(1, 'must not be empty').optional(),
  cacheDir: z.string().min(1, 'must not be empty').optional(),
  verbose: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** Options of {@link runDatasetsCommand}. */
export type DatasetsCommandOptions = z.input<typeof datasetsOptionsSchema>;

/** Runs `list`, `verify` or `fetch` through `@apb/datasets`, with a download bar for `fetch`. */
export async function runDatasetsCommand(
  options: DatasetsCommandOptions,
  output: Output = silentOutput,
  /** Where else to look (tests pin these so the machine's own data does not leak in). */
  locations: { env?: Record<string, string | undefined>; systemDir?: string } = {},
): Promise<DatasetsReport> {
  const parsed = datasetsOptionsSchema.parse(options);
  const { runDatasets } = await import('@apb/datasets');
  let bar: ReturnType<typeof createProgress> | undefined;
  let barFile = '';
  try {
    return await runDatasets({
      action: parsed.action,
      ...(parsed.names && parsed.names.length > 0 ? { names: parsed.names } : {}),
      ...(parsed.dataDir !== undefined ? { dataDir: parsed.dataDir } : {}),
      ...(parsed.cacheDir !== undefined ? { cacheDir: parsed.cacheDir } : {}),
      download: parsed.action === 'fetch',
      ...locations,
      verbose: parsed.verbose,
      log: parsed.verbose ? output.info : () => undefined,
      onProgress: (progress) => {
        if (progress.file !== barFile) {
          bar?.stop();
          barFile = progress.file;
          bar = createProgress(output, progress.file, progress.total ?? 0);
        }
        bar?.update(progress.received);
      },
    });
  } finally {
    bar?.stop();
  }
}

function printReport(report: DatasetsReport, output: Output): void {
  const c = colors(output.interactive);
  for (const dataset of report.datasets) {
    output.log(c.bold(`${dataset.name} (${dataset.title})`));
    for (const file of dataset.files) {
      const mark = file.status === 'verified' || file.status === 'found' ? c.green(file.status) : c.red(file.status);
      output.log(`  ${file.file.padEnd(30)} ${mark.padEnd(10)} ${file.path ?? ''}`);
      if (file.message !== undefined) output.log(`    ${file.message}${file.suggestion === undefined ? '' : `; ${file.suggestion}`}`);
    }
  }
}

/** `apb datasets list|verify|fetch [NAME...]`. */
export function datasetsCommand(): Command {
  const command = new Command('datasets')
    .description('find, check and download MNIST and Fashion-MNIST')
    .addHelpText('after', '\nExamples:\n  $ apb datasets list\n  $ apb datasets verify mnist --json\n  $ apb datasets fetch --cache-dir ~/.cache/apb/datasets');
  for (const [action, description] of [
    ['list', 'show where each file was found (and where it was looked for)'],
    ['verify', 'check every file against its published sha256 and IDX structure'],
    ['fetch', 'download missing files into the cache, then verify them'],
  ] as const) {
    command
      .command(action)
      .description(description)
      .argument('[names...]', 'data sets (default: all): mnist, fashion-mnist')
      .option('--data-dir <dir>', 'directory holding the files (looked in first; default $APB_DATA_DIR)')
      .option('--cache-dir <dir>', 'download cache (default ~/.cache/apb/datasets)')
      .option('--verbose', 'print every place looked')
      .option('--json', 'print the report as JSON')
      .addHelpText('after', `\nExamples:\n  $ apb datasets ${action}\n  $ apb datasets ${action} mnist --data-dir ./data --json`)
      .action(async (names: string[], flags: { dataDir?: string; cacheDir?: string; verbose?: boolean; json?: boolean }) => {
        const output = processOutput({ json: flags.json });
        const report = await runDatasetsCommand({ action, names, ...flags }, output);
        if (flags.json === true) output.log(JSON.stringify(report, null, 2));
        else printReport(report, output);
        if (!report.ok) process.exitCode = 1;
      });
  }
  return command;
}
