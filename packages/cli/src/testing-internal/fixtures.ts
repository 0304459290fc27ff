import type { RunRecord } from '@apb/scenarios';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Knobs of a fixture run: the config fields a report groups by, and the measured accuracies. */
export interface FixtureRun {
  dataset: 'mnist' | 'fashion-mnist';
  scenario: 'clean' | 'adversarial' | 'mixed';
  model: 'lenet' | 'lenet-apb';
  apb?: 'naive' | 'multimodal' | null;
  memories?: number;
  method?: 'standard' | 'pgd' | 'fast';
  seed?: number;
  clean: number;
  /** FGSM accuracy per eps. */
  fgsm: Record<string, number>;
  pgd?: number;
  trainSeconds?: number;
  status?: 'complete' | 'interrupted' | 'failed';
}

/** A complete, schema-valid run record for report tests (hand-set numbers, nothing trained). */
export function fixtureRecord(run: FixtureRun): RunRecord {
  const apb = run.model === 'lenet-apb' ? (run.apb ?? 'naive') : null;
  const seed = run.seed ?? 1;
  const id = `${run.dataset}-${run.scenario}-${run.model === 'lenet' ? 'classical' : `apb-${apb}`}${run.memories ? `-h${run.memories}` : ''}${run.method && run.method !== 'standard' ? `-${run.method}` : ''}-s${seed}`;
  const epochs = 2;
  const trainSeconds = run.trainSeconds ?? 10;
  const attacks = Object.entries(run.fgsm).map(([eps, accuracy]) => ({ attack: 'fgsm', eps: Number(eps), accuracy, n: 100, seconds: 0.5 }));
  if (run.pgd !== undefined) attacks.push({ attack: 'pgd', eps: 0.3, accuracy: run.pgd, n: 100, seconds: 2 });
  const worst = Math.min(run.fgsm['0.3'] ?? 1, run.pgd ?? 1);
  return {
    schemaVersion: 1,
    id,
    status: run.status ?? 'complete',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:01:00.000Z',
    seed,
    config: {
      dataset: run.dataset,
      datasetDir: null,
      model: run.model,
      apb,
      memories: run.memories ?? 0,
      apbEps: 0.01,
      apbDirection: 'ascent',
      apbMode: 'accumulate',
      apbClip: null,
      apbMemoryStep: 'budgeted',
      scenario: run.scenario,
      adversarialSource: 'online',
      method: run.method ?? 'standard',
      attackEps: 0.3,
      attackEpsRamp: 0,
      pgdSteps: 10,
      epochs,
      batchSize: 64,
      lr: 0.001,
      seed,
      trainLimit: 500,
      testLimit: 100,
      dataDir: null,
      backend: 'cpu',
      preset: 'smoke',
      sourcesDir: null,
      evaluation: {
        attacks: ['fgsm', 'pgd'],
        eps: [0.3],
        limit: 100,
        pgdSteps: 10,
        pgdRestarts: 1,
        pgdLimit: 100,
        squareQueries: 100,
        squareLimit: 50,
        diagnostics: true,
        diagnosticsLimit: 50,
        transferSeed: null,
        transferEpochs: null,
        checkpoints: [],
      },
    },
    backend: { name: 'cpu', threads: 1, simd: false, notes: [] },
    versions: { node: process.version },
    machine: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test cpu', memoryGiB: 8 },
    history: Array.from({ length: epochs }, (_, index) => ({ epoch: index + 1, loss: 1 / (index + 1), trainAccuracy: 0.8, seconds: trainSeconds / epochs, imagesPerSecond: 100 })),
    evaluation: {
      n: 100,
      clean: { accuracy: run.clean, n: 100 },
      attacks,
      worstCase: [{ eps: 0.3, accuracy: worst, n: 100, attacks: attacks.map((a) => a.attack) }],
      diagnostics: [
        { flag: 'pgd-stronger-than-fgsm', raised: run.pgd !== undefined && run.pgd < (run.fgsm['0.3'] ?? 0) - 0.1, detail: 'PGD accuracy well below FGSM accuracy', values: { fgsm: run.fgsm['0.3'] ?? 0, pgd: run.pgd ?? 0 } },
      ],
    },
    cost: {
      seconds: trainSeconds + 1,
      trainSeconds,
      evalSeconds: 1,
      imagesPerSecond: 100,
      forwardPasses: run.scenario === 'clean' ? 8 : 16,
      backwardPasses: run.scenario === 'clean' ? 8 : 16,
      passesPerEpoch: run.scenario === 'clean' ? 16 : 32,
    },
    ...(run.status === 'failed' ? { error: 'loss became NaN at epoch 1' } : {}),
  };
}

/** The Figure 2, 3a and 3b runs of a small reproduction, with made-up but plausible numbers. */
export function fixtureReproduction(): FixtureRun[] {
  const runs: FixtureRun[] = [];
  for (const dataset of ['mnist', 'fashion-mnist'] as const) {
    for (const scenario of ['clean', 'adversarial', 'mixed'] as const) {
      runs.push({ dataset, scenario, model: 'lenet', clean: 0.9, fgsm: { '0.3': scenario === 'clean' ? 0.1 : 0.8 }, pgd: 0.05, trainSeconds: scenario === 'clean' ? 10 : 20 });
      runs.push({ dataset, scenario, model: 'lenet-apb', clean: 0.91, fgsm: { '0.05': 0.8, '0.1': 0.7, '0.3': 0.6 }, pgd: 0.02, trainSeconds: 12 });
    }
    runs.push({ dataset, scenario: 'clean', model: 'lenet-apb', apb: 'multimodal', memories: 625, clean: 0.9, fgsm: { '0.3': 0.5 } });
  }
  return runs;
}

/** Writes each fixture as `dir/<id>/run.json`. */
export async function writeFixtureRuns(dir: string, runs: FixtureRun[]): Promise<RunRecord[]> {
  const records = runs.map(fixtureRecord);
  for (const record of records) {
    await mkdir(join(dir, record.id), { recursive: true });
    await writeFile(join(dir, record.id, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
  return records;
}
