import './style.css';

import { getJson, runLabel, ServerError, type ChartsResponse, type RunsResponse, type ServedRun, type TestImages } from './api.js';
import { pickBackend } from './backend.js';
import { DrawPad } from './canvas.js';
import { attackPanel, showSource, type AttackName, type SourceImage } from './playground.js';

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page is missing #${id}`);
  return node as T;
}

function explain(error: unknown): string {
  return error instanceof ServerError && error.suggestion ? `${error.message} ${error.suggestion}` : (error as Error).message;
}

function showMessage(node: HTMLElement, text: string): void {
  node.textContent = text;
  node.hidden = false;
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

function runsTable(runs: ServedRun[], choose: (slot: 'a' | 'b', key: string) => void): void {
  const body = byId<HTMLTableElement>('runs-table').tBodies[0]!;
  body.replaceChildren();
  for (const run of runs) {
    const row = body.insertRow();
    const cells = [
      run.key,
      run.dataset,
      run.apb === null ? 'classical' : `APB ${run.apb ?? ''}${run.memories > 0 ? ` h=${run.memories}` : ''}`,
      `${run.scenario}${run.method !== 'standard' ? ` (${run.method})` : ''}`,
      run.status,
      percent(run.clean),
      run.attacks.map((attack) => `${attack.attack} ${attack.eps}: ${percent(attack.accuracy)}`).join(', ') || '–',
    ];
    for (const text of cells) row.insertCell().textContent = text;
    const raised = run.diagnostics.filter((diagnostic) => diagnostic.raised);
    const diagnostics = row.insertCell();
    diagnostics.textContent = run.diagnostics.length === 0 ? '–' : raised.length === 0 ? 'none raised' : raised.map((diagnostic) => diagnostic.flag).join(', ');
    diagnostics.title = raised.map((diagnostic) => `${diagnostic.flag}: ${diagnostic.detail}`).join('\n');
    if (raised.length > 0) diagnostics.className = 'raised';
    const play = row.insertCell();
    if (run.folded.available) {
      for (const slot of ['a', 'b'] as const) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = `as ${slot.toUpperCase()}`;
        button.addEventListener('click', () => choose(slot, run.key));
        play.append(button, ' ');
      }
    } else {
      play.textContent = 'no folded model';
      play.title = run.folded.reason;
    }
  }
  byId('runs-table').hidden = false;
}

/** Default pair: a classical and an APB model when both exist (the comparison the paper makes). */
function defaultPair(runs: ServedRun[]): [string | undefined, string | undefined] {
  const usable = runs.filter((run) => run.folded.available);
  const classical = usable.find((run) => run.apb === null);
  const apb = usable.find((run) => run.apb !== null);
  if (classical && apb) return [classical.key, apb.key];
  return [usable[0]?.key ?? runs[0]?.key, usable[1]?.key ?? usable[0]?.key ?? runs[1]?.key];
}

async function showCharts(reportHtml: string | null): Promise<void> {
  const body = byId('charts-body');
  if (reportHtml !== null) {
    const link = byId('report-link');
    link.innerHTML = `The full report: <a href="${reportHtml}" target="_blank" rel="noopener">report.html</a>`;
    link.hidden = false;
  }
  try {
    const { charts } = await getJson<ChartsResponse>('/api/charts');
    body.className = 'charts';
    body.replaceChildren();
    for (const chart of charts) {
      const figure = document.createElement('figure');
      figure.className = 'chart';
      figure.id = chart.id;
      // The SVG comes from apb's own report renderer (vega) on this server, not from user input.
      figure.innerHTML = `${chart.svg}<figcaption></figcaption>`;
      figure.querySelector('figcaption')!.textContent = chart.title;
      body.append(figure);
    }
  } catch (error) {
    body.textContent = `Cannot render the report's charts: ${explain(error)}`;
  }
}

async function start(): Promise<void> {
  const backend = pickBackend();
  let listing: RunsResponse;
  try {
    listing = await getJson<RunsResponse>('/api/runs');
  } catch (error) {
    showMessage(byId('runs-message'), explain(error));
    byId('backend').textContent = await backend;
    byId('playground').hidden = true;
    byId('charts').hidden = true;
    return;
  }
  const { runs } = listing;
  byId('root-dir').textContent = listing.root;
  byId('skipped').replaceChildren(
    ...listing.skipped.map((file) => {
      const item = document.createElement('li');
      item.textContent = `skipped ${file.path}: ${file.reason}`;
      return item;
    }),
  );

  const selects = { a: byId<HTMLSelectElement>('model-a'), b: byId<HTMLSelectElement>('model-b') };
  for (const select of Object.values(selects)) {
    select.replaceChildren(
      ...runs.map((run) => {
        const option = document.createElement('option');
        option.value = run.key;
        option.textContent = `${runLabel(run)}${run.folded.available ? '' : ' (no folded model)'}`;
        return option;
      }),
    );
  }
  const [first, second] = defaultPair(runs);
  if (first !== undefined) selects.a.value = first;
  if (second !== undefined) selects.b.value = second;

  const attackSelect = byId<HTMLSelectElement>('attack');
  const epsInput = byId<HTMLInputElement>('eps');
  const epsValue = byId<HTMLOutputElement>('eps-value');
  const chosenCanvas = byId<HTMLCanvasElement>('chosen');
  const chosenLabel = byId('chosen-label');
  let classNames = Array.from({ length: 10 }, (_, i) => String(i));
  let source: SourceImage | undefined;
  let generation = 0;

  const runFor = (slot: 'a' | 'b') => runs.find((run) => run.key === selects[slot].value);
  async function attack(): Promise<void> {
    if (source === undefined) return;
    const current = (generation += 1);
    const eps = Number(epsInput.value);
    const name = attackSelect.value as AttackName;
    document.body.dataset.state = 'running';
    // One after the other: two models attacking at once would only compete for the same GPU or CPU.
    for (const slot of ['a', 'b'] as const) {
      if (current !== generation) return;
      await attackPanel(byId(`panel-${slot}`), runFor(slot), source, name, eps, classNames);
    }
    if (current === generation) document.body.dataset.state = 'done';
  }
  const choose = (next: SourceImage) => {
    source = next;
    showSource(chosenCanvas, chosenLabel, next);
    void attack();
  };

  async function loadImages(): Promise<void> {
    const run = runFor('a') ?? runs[0];
    const thumbnails = byId('thumbnails');
    const message = byId('images-message');
    message.hidden = true;
    thumbnails.replaceChildren();
    if (run === undefined) return;
    try {
      const page = await getJson<TestImages>(`/api/test-images?run=${encodeURIComponent(run.key)}&n=24`);
      classNames = page.classNames;
      byId('images-dataset').textContent = `(${page.dataset}, ${page.count} test images)`;
      page.images.forEach((pixels, i) => {
        const canvas = document.createElement('canvas');
        canvas.className = 'thumbnail';
        canvas.dataset.index = String(page.offset + i);
        canvas.title = `test image ${page.offset + i}: ${page.classNames[page.labels[i]!] ?? page.labels[i]}`;
        const context = canvas.getContext('2d')!;
        canvas.width = page.cols;
        canvas.height = page.rows;
        const image = context.createImageData(page.cols, page.rows);
        pixels.forEach((value, p) => image.data.set([value, value, value, 255], p * 4));
        context.putImageData(image, 0, 0);
        canvas.addEventListener('click', () => {
          for (const other of thumbnails.querySelectorAll('.selected')) other.classList.remove('selected');
          canvas.classList.add('selected');
          choose({ pixels, cols: page.cols, label: page.labels[i]!, caption: `${page.dataset} test image ${page.offset + i}, true class ${page.classNames[page.labels[i]!] ?? page.labels[i]}` });
        });
        thumbnails.append(canvas);
      });
      if (source === undefined && page.images.length > 0) (thumbnails.firstElementChild as HTMLCanvasElement).click();
    } catch (error) {
      showMessage(message, `No test images for ${run.key}: ${explain(error)}`);
    }
  }

  const pad = new DrawPad(byId<HTMLCanvasElement>('draw'));
  byId('clear-drawing').addEventListener('click', () => pad.clear());
  byId('use-drawing').addEventListener('click', () => choose({ pixels: pad.pixels(), cols: 28, label: null, caption: 'your drawing (attacked away from each model’s own prediction)' }));
  epsInput.addEventListener('input', () => (epsValue.textContent = Number(epsInput.value).toFixed(2)));
  epsInput.addEventListener('change', () => void attack());
  attackSelect.addEventListener('change', () => void attack());
  byId('run-attack').addEventListener('click', () => void attack());
  selects.a.addEventListener('change', () => void loadImages().then(attack));
  selects.b.addEventListener('change', () => void attack());
  runsTable(runs, (slot, key) => {
    selects[slot].value = key;
    selects[slot].dispatchEvent(new Event('change'));
  });

  byId('backend').textContent = await backend;
  document.body.dataset.backend = await backend;
  await Promise.all([loadImages(), showCharts(listing.reportHtml)]);
  document.body.dataset.loaded = 'true';
}

void start().catch((error: unknown) => {
  showMessage(byId('runs-message'), `The page failed to start: ${(error as Error).message}`);
});
