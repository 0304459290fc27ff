import type { Chart } from './charts.js';
import { COLLAPSED_TITLE, reportNotes, reportTables } from './render-markdown.js';
import type { ReportData } from './report-data.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function list(items: string[]): string {
  return `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}figure{margin:1em 0 2em}figcaption{font-weight:600;margin-bottom:.5em}.caption{color:#555}`;

/**
 * The standalone HTML report: inline CSS and inline SVG charts, no script and no network, so it
 * opens anywhere (and in CI's headless Chromium) exactly as generated.
 */
export function renderHtml(data: ReportData, charts: Chart[]): string {
  const notes = reportNotes(data);
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>APB reproduction report</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>APB reproduction report</h1>',
    `<p>Generated ${escapeHtml(data.generatedAt)} by <code>apb report</code>. Paper numbers: ${escapeHtml(data.paper.source)}.</p>`,
    '<h2>What this report can show</h2>',
    list(notes.scope),
    '<h2>Where our numbers come from</h2>',
    list(notes.provenance),
  ];
  if (notes.incomplete.length > 0) parts.push('<h2>Runs not complete (left out of the tables)</h2>', list(notes.incomplete));
  if (notes.collapsed.length > 0) parts.push(`<h2>${escapeHtml(COLLAPSED_TITLE)}</h2>`, list(notes.collapsed));
  parts.push(`<h2>Where ours disagree with the paper (more than ${(data.tolerance * 100).toFixed(0)} points)</h2>`);
  parts.push(list(notes.disagreements.length === 0 ? ['none among the cells both report'] : notes.disagreements));
  parts.push('<h2>Charts</h2>');
  for (const chart of charts) {
    parts.push(`<figure class="chart" id="${chart.id}"><figcaption>${escapeHtml(chart.title)}</figcaption>${chart.svg}</figure>`);
  }
  for (const table of reportTables(data)) {
    parts.push(`<h2>${escapeHtml(table.title)}</h2>`, `<p class="caption">${escapeHtml(table.caption)}</p>`);
    if (table.rows.length === 0) {
      parts.push('<p><em>No matching runs.</em></p>');
      continue;
    }
    parts.push('<table>', `<thead><tr>${table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`);
    for (const row of table.rows) parts.push(`<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
    parts.push('</tbody></table>');
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
