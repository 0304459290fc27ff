import type { FoldedModel, ServedRun } from '@apb/serve-app';
import { stat } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';

import type { FoundRun } from '../report/collect-runs.js';

// The response shapes live in @apb/serve-app, shared with the web app that reads them.
export type { FoldedModel, ServedRun };

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
