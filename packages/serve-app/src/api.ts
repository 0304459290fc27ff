/** Talking to `apb serve`: its answers' shapes (shared with the server) and a JSON fetch. */

export type { ChartsResponse, FoldedModel, RunsResponse, ServedRun, TestImages } from './node/api-types.js';
import type { ServedRun } from './node/api-types.js';

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
