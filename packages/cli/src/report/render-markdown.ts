import { percent } from '../output.js';
import { PAPER_EPS } from './paper-results.js';
import type { Measured, ReportData } from './report-data.js';
import { describeTestImages, reportScope } from './scope.js';
import { figure2Seeded, figure3bSeeded } from './seeded-tables.js';
import { historyRuns, trainingLengthTables } from './training-length.js';

/** A Markdown/HTML-agnostic table: header and rows of cell text. */
export interface Table {
  title: string;
  caption: string;
  header: string[];
  rows: string[][];
}

function measured(m: Measured): string {
  if (m.value === null) return '–';
  return m.runs > 1 ? `${percent(m.value)} (mean of ${m.runs})` : percent(m.value);
}

/** An accuracy with the number of test images behind it, e.g. `63.91% (n=1000)`. */
function sampled(value: number | null, n: number | null): string {
  return value === null ? '–' : n === null ? percent(value) : `${percent(value)} (n=${n})`;
}

function seconds(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : value.toFixed(1);
}

/** The report's tables, shared by the Markdown and the HTML output so both say the same. */
export function reportTables(data: ReportData): Table[] {
  const tables: Table[] = [];
  tables.push({
    title: 'Figure 2: paper vs ours',
    caption: `Clean and FGSM (eps ${PAPER_EPS}) test accuracy per dataset, training scenario and model; "apb" is the naive APB (h = 0), trained with standard (FGSM) adversarial examples in the adversarial and mixed scenarios. The paper trained ${data.paper.setup.epochs} epochs. – = not measured (or not readable in the paper).`,
    header: ['dataset', 'scenario', 'model', 'clean (paper)', 'clean (ours)', 'FGSM (paper)', 'FGSM (ours)'],
    rows: data.figure2.map((row) => [row.dataset, row.scenario, row.model, percent(row.paperClean), measured(row.clean), percent(row.paperFgsm), measured(row.fgsm)]),
  });
  tables.push({
    title: 'Figure 3a: APB trained on clean data, FGSM accuracy vs eps',
    caption: data.paper.figure3a.note,
    header: ['dataset', 'eps', 'FGSM (paper)', 'FGSM (ours)', 'FGSM, margin loss (ours)', 'PGD (ours)'],
    rows: data.figure3a.map((p) => [p.dataset, String(p.x), percent(p.paper), measured(p.ours), measured(p.fgsmMargin ?? { value: null, runs: 0 }), measured(p.pgd ?? { value: null, runs: 0 })]),
  });
  tables.push({
    title: 'Figure 3b: FGSM accuracy vs bias memories',
    caption: data.paper.figure3b.note,
    header: ['dataset', 'memories h', 'paper', 'ours'],
    rows: data.figure3b.map((p) => [p.dataset, String(p.x), percent(p.paper), measured(p.ours)]),
  });
  // Over seeds: intervals, margin-loss FGSM and PGD beside FGSM, and the paper's claims as paired differences.
  tables.push(...figure2Seeded(data.complete, data.paper).tables, ...figure3bSeeded(data.complete).tables);
  // Robustness against training length, for runs evaluated during training (apb reproduce --figure masking).
  tables.push(...trainingLengthTables(historyRuns(data.complete, data.paper)));
  tables.push({
    title: 'Robustness (honest numbers beside FGSM)',
    caption: `Accuracy at the paper's eps ${PAPER_EPS} where measured, else at the run's largest eps, with n, the test images it is a fraction of (attacks may run on subsets). Worst case: an image counts only if every attack run on it failed. – = attack not run.`,
    header: ['run', 'eps', 'clean', 'FGSM', 'PGD', 'transfer', 'Square', 'noise', 'worst case'],
    rows: data.robustness.map((r) =>
      r.collapsed === null
        ? [
            r.id,
            r.eps === null ? '–' : String(r.eps),
            sampled(r.clean, r.n.clean),
            sampled(r.fgsm, r.n.fgsm),
            sampled(r.pgd, r.n.pgd),
            sampled(r.transfer, r.n.transfer),
            sampled(r.square, r.n.square),
            sampled(r.noise, r.n.noise),
            sampled(r.worstCase, r.n.worstCase),
          ]
        : [r.id, r.eps === null ? '–' : String(r.eps), sampled(r.clean, r.n.clean), ...Array<string>(6).fill('collapsed')],
    ),
  });
  tables.push({
    title: 'Gradient-masking diagnostics',
    caption: `A raised flag means that run's attack numbers (FGSM's first) should not be read as robustness. ${Object.entries(data.flagMeanings)
      .map(([flag, meaning]) => `${flag}: ${meaning}.`)
      .join(' ')}`,
    header: ['run', 'flags raised', 'flags checked', 'details'],
    rows: data.diagnostics.map((d) => [d.id, d.raised.length === 0 ? 'none' : d.raised.join(', '), String(d.checked.length), d.details.join('; ') || '–']),
  });
  tables.push({
    title: 'Cost',
    caption: 'Training time, throughput, and forward/backward passes per epoch (in batch-sized passes).',
    header: ['run', 'epochs', 'train s', 's / epoch', 'images/s', 'forward / epoch', 'backward / epoch'],
    rows: data.cost.map((c) => [c.id, String(c.epochs), seconds(c.trainSeconds), seconds(c.secondsPerEpoch), c.imagesPerSecond.toFixed(0), c.forwardPasses.toFixed(0), c.backwardPasses.toFixed(0)]),
  });
  tables.push({
    title: `Cost ratio: clean APB training vs FGSM adversarial training (paper: ${percent(data.paper.cost.apbOverFgsmAdversarialTraining)})`,
    caption: data.paper.cost.claim,
    header: ['dataset', 'compared with', 'time per epoch, APB / adversarial', 'passes per epoch, APB / adversarial'],
    rows: data.costRatios.map((r) => [r.dataset, r.versus, percent(r.timeRatio), percent(r.passRatio)]),
  });
  return tables;
}

/**
 * Short sentences for the top of the report: its scope (what the preset can show, the test images
 * used), provenance, incomplete and collapsed runs, disagreements.
 */
export function reportNotes(data: ReportData): { scope: string[]; provenance: string[]; incomplete: string[]; collapsed: string[]; disagreements: string[] } {
  const scope = reportScope(data.complete, { paperEpochs: data.paper.setup.epochs });
  return {
    scope: [...scope.presetNotes, describeTestImages(scope, data.paper.setup.testImages)],
    provenance: data.provenance,
    collapsed: data.collapsed.map((run) => `${run.id}: ${run.reason}`),
    incomplete: data.incomplete.map((run) => `${run.path}: ${run.record.status}${run.record.error === undefined ? '' : ` (${run.record.error})`}`),
    disagreements: data.disagreements.map((d) => `${d.what}: paper ${percent(d.paper)}, ours ${percent(d.ours)} (${d.ours > d.paper ? '+' : ''}${((d.ours - d.paper) * 100).toFixed(2)} points)`),
  };
}

/** Heading of the list of collapsed runs, shared with the HTML report. */
export const COLLAPSED_TITLE = 'Collapsed runs (training failed; left out of every comparison, never shown as robustness)';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The report as Markdown; `charts` are linked by file name (the HTML report embeds them). */
export function renderMarkdown(data: ReportData): string {
  const notes = reportNotes(data);
  const lines: string[] = ['# APB reproduction report', '', `Generated ${data.generatedAt} by \`apb report\`. Paper numbers: ${data.paper.source}.`, ''];
  lines.push('## What this report can show', '', ...notes.scope.map((line) => `- ${line}`), '');
  lines.push('## Where our numbers come from', '', ...notes.provenance.map((line) => `- ${line}`), '');
  if (notes.incomplete.length > 0) lines.push('## Runs not complete (left out of the tables)', '', ...notes.incomplete.map((line) => `- ${line}`), '');
  if (notes.collapsed.length > 0) lines.push(`## ${COLLAPSED_TITLE}`, '', ...notes.collapsed.map((line) => `- ${line}`), '');
  lines.push(`## Where ours disagree with the paper (more than ${(data.tolerance * 100).toFixed(0)} points)`, '');
  lines.push(...(notes.disagreements.length === 0 ? ['- none among the cells both report'] : notes.disagreements.map((line) => `- ${line}`)), '');
  for (const table of reportTables(data)) {
    lines.push(`## ${table.title}`, '', table.caption, '');
    if (table.rows.length === 0) {
      lines.push('_No matching runs._', '');
      continue;
    }
    lines.push(`| ${table.header.map(escapeCell).join(' | ')} |`, `| ${table.header.map(() => '---').join(' | ')} |`);
    for (const row of table.rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
    lines.push('');
  }
  lines.push('Charts: see `report.html` (standalone, no network).', '');
  return lines.join('\n');
}
