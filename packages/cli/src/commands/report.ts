import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';

import { processOutput, silentOutput, type Output } from '../output.js';
import { renderCharts } from '../report/charts.js';
import { collectResults, type FoundEvaluation, type SkippedFile } from '../report/collect-runs.js';
import { extraMarkdown, withExtraHtml } from '../report/extra-sections.js';
import { loadPaperResults } from '../report/paper-results.js';
import { renderHtml } from '../report/render-html.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { buildReportData, type ReportData, type ReproductionInfo } from '../report/report-data.js';
import { writeFileAtomic } from '@apb/core';

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
  /** `apb eval` records found beside the runs (listed in the report). */
  evaluations: FoundEvaluation[];
  /** Files that could not be read or validated, and why (listed in the report). */
  skipped: SkippedFile[];
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

/**
 * Reads every run.json (and `apb eval`'s eval-*.json) under `dir`, validates them, and writes
 * `report.md` and `report.html` there. Files that cannot be read are skipped and listed, in the
 * report and on stderr, rather than costing the whole report.
 */
export async function runReport(options: ReportOptions, output: Output = silentOutput): Promise<ReportResult> {
  const { dir } = reportOptionsSchema.parse(options);
  const root = resolve(dir);
  const { runs, evaluations, skipped } = await collectResults(root);
  // Loaded here, not at start-up: @apb/attacks brings TensorFlow.js.
  const { DIAGNOSTIC_MEANINGS } = await import('@apb/attacks');
  const data = buildReportData(runs, await loadPaperResults(), { reproduction: await readReproduction(root), flagMeanings: DIAGNOSTIC_MEANINGS });
  const charts = await renderCharts(data);
  const markdownPath = join(root, 'report.md');
  const htmlPath = join(root, 'report.html');
  const extra = extraMarkdown(evaluations, skipped);
  await writeFileAtomic(markdownPath, extra === '' ? renderMarkdown(data) : `${renderMarkdown(data)}\n${extra}`);
  await writeFileAtomic(htmlPath, withExtraHtml(renderHtml(data, charts), evaluations, skipped));
  for (const file of skipped) output.info(`apb: skipped: ${file.reason}`);
  output.info(`read ${runs.length} run records (${data.complete.length} complete)${evaluations.length > 0 ? ` and ${evaluations.length} apb eval records` : ''} under ${root}${skipped.length > 0 ? `; skipped ${skipped.length} files (listed in the report)` : ''}`);
  return { markdownPath, htmlPath, data, charts: charts.map((chart) => chart.id), evaluations, skipped };
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
            { markdownPath: result.markdownPath, htmlPath: result.htmlPath, charts: result.charts, skipped: result.skipped, evaluations: result.evaluations, provenance: data.provenance, figure2: data.figure2, figure3a: data.figure3a, figure3b: data.figure3b, robustness: data.robustness, diagnostics: data.diagnostics, cost: data.cost, costRatios: data.costRatios, disagreements: data.disagreements },
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
