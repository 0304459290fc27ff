import type { RunRecord } from '@apb/scenarios';
import { stat } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';

import type { FoundRun } from '../report/collect-runs.js';

/** The folded model of a run, or why the playground cannot use it. */
export type FoldedModel = { available: true; modelUrl: string } | { available: false; reason: string };

/** One run as the web app lists it: where it is, what it is, its headline numbers and diagnostics. */
export interface ServedRun {
  /** The run's folder relative to the served directory, `/`-separated (`.` for the directory itself). */
  key: string;
  id: string;
  status: RunRecord['status'];
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

/** The URL path of a file in the served directory, each segment encoded. */
export function filesUrl(key: string, ...rest: string[]): string {
  const segments = [...(key === '.' ? [] : key.split('/')), ...rest];
  return `/files/${segments.map(encodeURIComponent).join('/')}`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function foldedModel(runDir: string, key: string): Promise<FoldedModel> {
  const folder = join(runDir, 'model-folded');
  const missing: string[] = [];
  for (const file of ['model.json', 'weights.bin']) if (!(await isFile(join(folder, file)))) missing.push(file);
  if (missing.length === 0) return { available: true, modelUrl: filesUrl(key, 'model-folded', 'model.json') };
  return { available: false, reason: `${posix.join(key, 'model-folded')} has no ${missing.join(' or ')}: the run saved no folded model (it may be unfinished, or trained by an older apb). Train it again with apb train --out ${key === '.' ? 'DIR' : key}.` };
}

/** The run key of a run.json path relative to the served directory. */
export function runKey(relativeRunJson: string): string {
  const folder = dirname(relativeRunJson);
  return folder.split(sep).join('/');
}

/** Turns validated run records into the web app's listing, checking each run's folded model on disk. */
export async function listRuns(root: string, runs: FoundRun[]): Promise<ServedRun[]> {
  return Promise.all(
    runs.map(async ({ path, record }) => {
      const key = runKey(path);
      const { config, evaluation } = record;
      return {
        key,
        id: record.id,
        status: record.status,
        dataset: config.dataset,
        model: config.model,
        apb: config.apb ?? null,
        memories: config.memories,
        scenario: config.scenario,
        method: config.method,
        seed: record.seed,
        epochs: record.history.length,
        trainSeconds: record.cost.trainSeconds,
        clean: evaluation?.clean.accuracy ?? null,
        attacks: (evaluation?.attacks ?? []).map(({ attack, eps, accuracy, n }) => ({ attack, eps, accuracy, n })),
        worstCase: (evaluation?.worstCase ?? []).map(({ eps, accuracy, attacks }) => ({ eps, accuracy, attacks })),
        diagnostics: (evaluation?.diagnostics ?? []).map(({ flag, raised, detail }) => ({ flag, raised, detail })),
        folded: await foldedModel(join(root, path, '..'), key),
      };
    }),
  );
}
