import { isApbError } from '@apb/core';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord, writeRunRecord } from './run-record-io.js';
import { RUN_SCHEMA_VERSION, validateRunRecord, type RunRecord } from './run-record.js';
import { resolveTrainConfig } from './train-config.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'apb-run-record-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sample = (): RunRecord => ({
  schemaVersion: RUN_SCHEMA_VERSION,
  id: 'mnist-clean-apb-naive-s1',
  status: 'complete',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:10:00.000Z',
  seed: 1,
  config: resolveTrainConfig({ model: 'lenet-apb' }),
  backend: { name: 'wasm', threads: 1, simd: true, notes: [] },
  versions: { '@apb/scenarios': '0.1.0', node: '20.20.2' },
  machine: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', memoryGiB: 8 },
  history: [{ epoch: 1, loss: 0.3, trainAccuracy: 0.9, seconds: 12, imagesPerSecond: 5000 }],
  evaluation: {
    n: 100,
    clean: { accuracy: 0.98, n: 100 },
    attacks: [{ attack: 'fgsm', eps: 0.3, accuracy: 0.2, n: 100, seconds: 1, params: { loss: 'ce' } }],
    worstCase: [{ eps: 0.3, accuracy: 0.2, n: 100, attacks: ['fgsm'] }],
    diagnostics: [{ flag: 'zero-input-gradient', raised: false, detail: 'none', values: { share: 0 } }],
  },
  cost: { seconds: 20, trainSeconds: 12, evalSeconds: 8, imagesPerSecond: 5000, forwardPasses: 469, backwardPasses: 469, passesPerEpoch: 938 },
});

describe('run.json', () => {
  it('round-trips a record through an atomic write and a validated read', async () => {
    const path = join(root, 'a', 'run.json');
    await writeRunRecord(path, sample());
    expect(await readRunRecord(path)).toEqual(sample());
    expect(await readdir(join(root, 'a'))).toEqual(['run.json']);
  });

  it('keeps fields a newer writer added within the same schema version', () => {
    const sampled = sample();
    const record = { ...sampled, extra: { note: 'added later' }, config: { ...sampled.config, newOption: 1, evaluation: { ...sampled.config.evaluation, newBudget: 2 } } };
    expect(validateRunRecord(record)).toMatchObject({ extra: { note: 'added later' }, config: { newOption: 1, evaluation: { newBudget: 2 } } });
  });

  it('rejects an accuracy outside [0, 1] with a one-line error naming the field', () => {
    const record = sample();
    record.evaluation!.clean.accuracy = 98;
    const error: unknown = (() => {
      try {
        return validateRunRecord(record, 'x/run.json');
      } catch (caught) {
        return caught;
      }
    })();
    expect(isApbError(error) && error.code).toBe('BAD_RUN_RECORD');
    expect((error as Error).message).toMatch(/x\/run\.json.*evaluation\.clean\.accuracy/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects another schema version by name', () => {
    expect(() => validateRunRecord({ ...sample(), schemaVersion: 2 })).toThrow(/schema version 2/);
  });

  it('says which file is missing or not JSON', async () => {
    await expect(readRunRecord(join(root, 'none', 'run.json'))).rejects.toMatchObject({ code: 'RUN_RECORD_NOT_FOUND' });
    await writeFile(join(root, 'broken.json'), '{');
    await expect(readRunRecord(join(root, 'broken.json'))).rejects.toThrow(/broken\.json is not valid JSON/);
  });
});
