import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';

import { processOutput, silentOutput, type Output } from '../output.js';
import { renderCharts } from '../report/charts.js';
import { collectRuns } from '../report/collect-runs.js';
import { loadPaperResults } from '../report/paper-results.js';
import { renderHtml } from '../report/render-html.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { buildReportData, type ReportData, type ReproductionInfo } from '../report/report-data.js';
import { writeFileAtomic } from '../write-atomic.js';

/** Options of `apb report`. */
export const reportOptionsSchema = z.strictObject({
  /** Directory searched (recursively) for run.json files; the report is written into it. */
  dir: z.string().min(1, 'must name a directory'),
  json: z.boolean().default(false),
});

/** Options of {@link runReport}. */
export type ReportOptions = z.input<typeof reportOptionsSchema>;

/** What {@link runReport} wrote and the data behind it. */
export interface ReportResult {
  markdownPath: string;
  htmlPath: string;
  data: ReportData;
  charts: string[];
}

/** The wall-time summary `apb reproduce` leaves in the folder, if any. */
async function readReproduction(root: string): Promise<ReproductionInfo | undefined> {
  try {
    const json = JSON.parse(await readFile(join(root, 'reproduce.json'), 'utf8')) as Partial<ReproductionInfo>;
    if (typeof json.preset !== 'string' || typeof json.figure !== 'string' || typeof json.totalSeconds !== 'number') return undefined;
    const invocations = Array.isArray(json.invocations) ? json.invocations : [];
    return { preset: json.preset, figure: json.figure, totalSeconds: json.totalSeconds, invocations };
  } catch {
    return undefined;
  }
}

/** Reads every run.json under `dir`, validates it, and writes `report.md` and `report.html` there. */
export async function runReport(options: ReportOptions, output: Output = silentOutput): Promise<ReportResult> {
  const { dir } = reportOptionsSchema.parse(options);
  const root = resolve(dir);
  const runs = await collectRuns(root);
  // Loaded here, not at start-up: @apb/attacks brings TensorFlow.js.
  const { DIAGNOSTIC_MEANINGS } = await import('@apb/attacks');
  const data = buildReportData(runs, await loadPaperResults(), { reproduction: await readReproduction(root), flagMeanings: DIAGNOSTIC_MEANINGS });
  const charts = await renderCharts(data);
  const markdownPath = join(root, 'report.md');
  const htmlPath = join(root, 'report.html');
  await writeFileAtomic(markdownPath, renderMarkdown(data));
  await writeFileAtomic(htmlPath, renderHtml(data, charts));
  output.info(`read ${runs.length} run records (${data.complete.length} complete) under ${root}`);
  return { markdownPath, htmlPath, data, charts: charts.map((chart) => chart.id) };
}

/** `apb report DIR`. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write report.md and a standalone report.html (charts, paper vs ours) from every run.json under DIR')
    .argument('<dir>', 'directory holding run.json files (searched recursively)')
    .option('--json', 'print the report data as JSON')
    .addHelpText('after', '\nExamples:\n  $ apb report runs/quick\n  $ apb report runs/my-run --json > report.json')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const output = processOutput({ json: flags.json });
      const result = await runReport({ dir, json: flags.json ?? false }, output);
      if (flags.json === true) {
        const { data } = result;
        output.log(
          JSON.stringify(
            { markdownPath: result.markdownPath, htmlPath: result.htmlPath, charts: result.charts, provenance: data.provenance, figure2: data.figure2, figure3a: data.figure3a, figure3b: data.figure3b, robustness: data.robustness, diagnostics: data.diagnostics, cost: data.cost, costRatios: data.costRatios, disagreements: data.disagreements },
            null,
            2,
          ),
        );
      } else {
        output.log(`wrote ${result.markdownPath}`);
        output.log(`wrote ${result.htmlPath}`);
        if (result.data.disagreements.length > 0) output.log(`${result.data.disagreements.length} cells differ from the paper by more than ${result.data.tolerance * 100} points (listed in the report)`);
      }
    });
}
