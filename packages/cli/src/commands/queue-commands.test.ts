import { redisServerAvailable, startTestRedis, type TestRedis } from '@apb/queue/testing';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runReproduce } from './reproduce.js';
import { formatStatus, runStatus } from './status.js';
import { runWorker } from './worker.js';

const dataDir = process.env.APB_DATA_DIR;
const redis = redisServerAvailable();

describe('apb worker and apb status', () => {
  it('refuse a --queue that is not a Redis URL in one line naming the flag', async () => {
    await expect(runStatus({ queue: 'localhost:6379' })).rejects.toThrow('--queue localhost:6379 is not a Redis URL');
    await expect(runWorker({ queue: 'http://10.0.0.5' })).rejects.toThrow('--queue http://10.0.0.5 is not a Redis URL');
    await expect(runWorker({ queue: 'redis://127.0.0.1:6379', concurrency: 0 })).rejects.toThrow(/at least 1/);
  });

  it('prints counts, then the runs of each state with their worker, progress or error', () => {
    const lines = formatStatus({
      url: 'redis://h:1',
      waiting: [{ id: 'b', attempts: 0 }],
      delayed: [],
      active: [{ id: 'a', worker: 'box-1', progress: { epoch: 2, epochs: 5 }, attempts: 0 }],
      completed: [],
      failed: [{ id: 'c', worker: 'box-2', attempts: 1, error: 'Training loss became NaN' }],
      workers: ['box-1', 'box-2'],
    });
    expect(lines).toEqual([
      'apb status redis://h:1: 1 waiting, 0 delayed, 1 running, 0 done, 1 failed; workers: box-1, box-2',
      'running:',
      '  a on box-1, epoch 2/5',
      'waiting:',
      '  b',
      'failed:',
      '  c on box-2 (Training loss became NaN)',
    ]);
  });
});

describe.runIf(dataDir !== undefined && redis)('apb reproduce --queue with an apb worker, end to end', () => {
  let dir: string;
  let server: TestRedis;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-queue-cli-'));
    server = await startTestRedis();
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains every run on the worker, writes reproduce.json and the report like local mode, and a rerun skips them', async () => {
    const worker = await runWorker({ queue: server.url, threads: 1, name: 'test-worker' });
    try {
      const summary = await runReproduce({ figure: '3a', preset: 'smoke', backend: 'wasm', out: dir, queue: server.url });
      expect(summary.runs.length).toBeGreaterThan(0);
      expect(summary.runs.filter((run) => run.outcome !== 'complete')).toEqual([]);
      expect(existsSync(join(dir, 'report.html'))).toBe(true);
      expect(JSON.parse(await readFile(join(dir, 'reproduce.json'), 'utf8'))).toMatchObject({ preset: 'smoke', out: '.' });
      const status = await runStatus({ queue: server.url });
      expect(status.completed.map((run) => run.worker)).toEqual(summary.runs.map(() => 'test-worker'));
      const again = await runReproduce({ figure: '3a', preset: 'smoke', backend: 'wasm', out: dir, queue: server.url, report: false });
      expect(again.runs.every((run) => run.outcome === 'skipped')).toBe(true);
    } finally {
      await worker.close();
    }
  }, 300_000);
});
