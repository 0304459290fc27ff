// Report sections about files besides the runs: apb eval's records and the files the report skipped.
import { percent } from '../output.js';
import type { FoundEvaluation, SkippedFile } from './collect-runs.js';

/** One row per `apb eval` record: where, on what, clean accuracy and each attack, with sample sizes. */
export function evaluationRows(evaluations: FoundEvaluation[]): string[][] {
  return evaluations.map(({ path, record }) => {
    const { clean, attacks, worstCase } = record.evaluation;
    return [
      path,
      record.dataset,
      `${percent(clean.accuracy)} (n=${clean.n})`,
      attacks.map((attack) => `${attack.attack} eps ${attack.eps}: ${percent(attack.accuracy)} (n=${attack.n})`).join('; '),
      worstCase.map((worst) => `eps ${worst.eps}: ${percent(worst.accuracy)}`).join('; '),
    ];
  });
}

const EVALUATIONS_TITLE = 'Evaluations by apb eval';
const EVALUATIONS_CAPTION = 'Saved models evaluated again with apb eval (eval-*.json beside their run.json); not part of the figures above.';
const EVALUATIONS_HEADER = ['file', 'dataset', 'clean', 'attacks', 'worst case'];
const SKIPPED_TITLE = 'Files skipped (unreadable or invalid)';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The Markdown of both sections (empty ones left out), to append to report.md. */
export function extraMarkdown(evaluations: FoundEvaluation[], skipped: SkippedFile[]): string {
  const lines: string[] = [];
  if (skipped.length > 0) lines.push(`## ${SKIPPED_TITLE}`, '', ...skipped.map((file) => `- ${file.reason}`), '');
  if (evaluations.length > 0) {
    lines.push(`## ${EVALUATIONS_TITLE}`, '', EVALUATIONS_CAPTION, '');
    lines.push(`| ${EVALUATIONS_HEADER.join(' | ')} |`, `| ${EVALUATIONS_HEADER.map(() => '---').join(' | ')} |`);
    for (const row of evaluationRows(evaluations)) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The same sections as HTML, inserted before `</body>` of report.html. */
export function withExtraHtml(html: string, evaluations: FoundEvaluation[], skipped: SkippedFile[]): string {
  const parts: string[] = [];
  if (skipped.length > 0) parts.push(`<h2>${SKIPPED_TITLE}</h2>`, `<ul>${skipped.map((file) => `<li>${escapeHtml(file.reason)}</li>`).join('')}</ul>`);
  if (evaluations.length > 0) {
    parts.push(`<h2>${EVALUATIONS_TITLE}</h2>`, `<p class="caption">${escapeHtml(EVALUATIONS_CAPTION)}</p>`, '<table>');
    parts.push(`<thead><tr>${EVALUATIONS_HEADER.map((cell) => `<th>${cell}</th>`).join('')}</tr></thead><tbody>`);
    for (const row of evaluationRows(evaluations)) parts.push(`<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
    parts.push('</tbody></table>');
  }
  if (parts.length === 0) return html;
  const end = html.lastIndexOf('</body>');
  return end < 0 ? `${html}${parts.join('\n')}\n` : `${html.slice(0, end)}${parts.join('\n')}\n${html.slice(end)}`;
}
