/** The shapes `apb serve` answers with (packages/cli/src/serve); the browser test keeps both sides in step. */

/** The folded model of a run, or why the playground cannot use it. */
export type FoldedModel = { available: true; modelUrl: string } | { available: false; reason: string };

/** One run in the listing. */
export interface ServedRun {
  key: string;
  id: string;
  status: string;
  dataset: string;
  model: string;
  apb: string | null;
  memories: number;
  scenario: string;
  method: string;
  seed: number;
  epochs: number;
  trainSeconds: number;
  clean: number | null;
  attacks: { attack: string; eps: number; accuracy: number; n: number }[];
  worstCase: { eps: number; accuracy: number; attacks: string[] }[];
  diagnostics: { flag: string; raised: boolean; detail: string }[];
  folded: FoldedModel;
}

/** `GET /api/runs`. */
export interface RunsResponse {
  root: string;
  runs: ServedRun[];
  skipped: { path: string; reason: string }[];
  reportHtml: string | null;
}

/** `GET /api/test-images`. */
export interface TestImages {
  dataset: string;
  rows: number;
  cols: number;
  classNames: string[];
  count: number;
  offset: number;
  images: number[][];
  labels: number[];
}

/** `GET /api/charts`. */
export interface ChartsResponse {
  charts: { id: string; title: string; svg: string }[];
}

/** An error the server explained: a message and what to do. */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly suggestion: string | null,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** GETs JSON from the server; a refusal becomes a {@link ServerError} carrying the server's explanation. */
export async function getJson<T>(url: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ServerError(`Cannot reach apb serve (${(error as Error).message}).`, 'Is apb serve still running?');
  }
  const body = (await response.json().catch(() => null)) as ({ error?: { message: string; suggestion: string | null } } & T) | null;
  if (!response.ok || body === null) {
    throw new ServerError(body?.error?.message ?? `${url} answered ${response.status}.`, body?.error?.suggestion ?? null);
  }
  return body;
}

/** A run's one-line label: model kind, scenario, data set. */
export function runLabel(run: ServedRun): string {
  const kind = run.apb === null ? 'classical' : `APB ${run.apb ?? ''}${run.memories > 0 ? ` h=${run.memories}` : ''}`.trim();
  return `${run.key} — ${kind}, ${run.scenario}${run.method !== 'standard' ? ` (${run.method})` : ''}, ${run.dataset}`;
}
