/**
 * The shapes `apb serve` answers with: shared by the server (`@apb/cli`, through this package's
 * Node entry) and the web app, so the two cannot drift.
 */

/** The folded model of a run, or why the playground cannot use it. */
export type FoldedModel = { available: true; modelUrl: string } | { available: false; reason: string };

/** One run in the listing. */
export interface ServedRun {
  /** The run's folder relative to the served directory, `/`-separated (`.` for the directory itself). */
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
  /** Clean test accuracy, or null before evaluation. */
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
  /** Number of test images in the data set. */
  count: number;
  offset: number;
  /** One array of `rows * cols` grey values in 0..255 per image, row-major. */
  images: number[][];
  labels: number[];
}

/** `GET /api/charts`. */
export interface ChartsResponse {
  charts: { id: string; title: string; svg: string }[];
}
