import { readRunRecord, resolveTrainConfig, runIdFor, runReproduction, type RunSpec, type TrainConfigInput } from '@apb/scenarios';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue, openQueueEvents } from './bullmq-clients.js';
import { enqueueReproduction } from './enqueue.js';
import { jobIdFor } from './job-id.js';
import { queueStatus } from './queue-status.js';
import { startQueueWorker, type QueueWorkerOptions } from './queue-worker.js';
import { runQueuedReproduction } from './queued-reproduction.js';
import { redisServerAvailable, startTestRedis, type TestRedis } from './testing/index.js';
import { writeSyntheticDataset } from './testing-internal/synthetic-data.js';

const available = redisServerAvailable();
if (!available) {
  if (process.env.CI) throw new Error('redis-server is missing: CI must install it (apt-get install redis-server).');
  console.warn('queue tests skipped: redis-server is not installed here (apt-get install redis-server).');
}

let root: string;
let datasetDir: string;
let redis: TestRedis;

beforeAll(async () => {
  if (!available) return;
  root = await mkdtemp(join(tmpdir(), 'apb-queue-'));
  datasetDir = await writeSyntheticDataset(join(root, 'data'), { train: 400, test: 100 });
  redis = await startTestRedis();
  // Workers fork the built run child (plain Node cannot run the TypeScript sources).
  await promisify(execFile)('pnpm', ['exec', 'tsc', '-b', 'tsconfig.build.json'], { cwd: join(import.meta.dirname, '..') });
}, 240_000);
afterAll(async () => {
  if (!available) return;
  await redis.stop();
  await rm(root, { recursive: true, force: true });
});

const spec = (input: TrainConfigInput): RunSpec => {
  const config = resolveTrainConfig({
    dataset: 'synthetic',
    datasetDir,
    backend: 'wasm',
    trainLimit: 200,
    testLimit: 100,
    epochs: 2,
    batchSize: 50,
    lr: 0.003,
    evaluation: { attacks: ['fgsm'], eps: [0.1], diagnostics: false },
    ...input,
  });
  return { id: runIdFor(config), kind: 'train', config, dependsOn: [], roles: ['test'] };
};

/** Short locks, so a killed worker's run is taken over in seconds. */
const fast = (queueName: string): Omit<QueueWorkerOptions, 'url'> => ({ queueName, threads: 1, lockDurationMs: 2000, stalledIntervalMs: 1000, retryDelayMs: 500 });

describe.skipIf(!available)('the run queue on a real redis-server', () => {
  it('closes clients right after opening them without an unhandled error (BullMQ crashes on a close mid-handshake)', async () => {
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', record);
    try {
      const connection = { host: '127.0.0.1', port: Number(new URL(redis.url).port) };
      // A bare Queue closed 0-3 ms after construction crashed this way in about 1 of 15 tries here.
      for (let i = 0; i < 40; i += 1) {
        await (await openQueue('handshake', connection)).close();
        await (await openQueueEvents('handshake', connection)).close();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });

  it('queues each run once under its run id: enqueueing the plan again adds nothing', async () => {
    const outDir = join(root, 'enqueue');
    const source: RunSpec = { ...spec({ seed: 2 }), id: 'sources/synthetic-clean-classical-s2-e2-n200' };
    const specs = [source, { ...spec({ seed: 3 }), dependsOn: [source.id] }];
    const first = await enqueueReproduction({ url: redis.url, queueName: 'enqueue', outDir, specs });
    const second = await enqueueReproduction({ url: redis.url, queueName: 'enqueue', outDir, specs });
    expect(first).toEqual({ added: specs.map((s) => s.id), queued: [], complete: [], retried: [] });
    expect(second).toEqual({ added: [], queued: specs.map((s) => s.id), complete: [], retried: [] });
    const status = await queueStatus({ url: redis.url, queueName: 'enqueue' });
    expect(status.waiting.map((run) => run.id).sort()).toEqual(specs.map((s) => s.id).sort());
    expect(jobIdFor(source.id)).not.toMatch(/[:/]/);
  });

  it('fails a run with a NaN loss once, without retrying it, and blocks the runs that need it', async () => {
    const outDir = join(root, 'nan');
    const failing = spec({ lr: 1e30, seed: 4 });
    const dependent: RunSpec = { ...spec({ seed: 5 }), dependsOn: [failing.id] };
    const worker = await startQueueWorker({ url: redis.url, ...fast('nan') });
    try {
      const summary = await runQueuedReproduction({ url: redis.url, queueName: 'nan', outDir, specs: [failing, dependent], attempts: 3, pollMs: 200 });
      expect(summary.runs.map((run) => run.outcome)).toEqual(['failed', 'blocked']);
      expect(summary.runs[0]!.error).toMatch(/loss became/);
    } finally {
      await worker.close();
    }
    const status = await queueStatus({ url: redis.url, queueName: 'nan' });
    expect(status.failed.find((run) => run.id === failing.id)?.attempts).toBe(1);
    expect((await readRunRecord(join(outDir, failing.id, 'run.json'))).status).toBe('failed');
    // Enqueueing again leaves failed runs failed, unless asked to retry them.
    expect((await enqueueReproduction({ url: redis.url, queueName: 'nan', outDir, specs: [failing, dependent] })).queued).toEqual([failing.id, dependent.id]);
    const retried = await enqueueReproduction({ url: redis.url, queueName: 'nan', outDir, specs: [failing, dependent], retryFailed: true });
    expect(retried.retried).toEqual([failing.id, dependent.id]);
    const again = await queueStatus({ url: redis.url, queueName: 'nan' });
    expect(again.waiting.map((run) => [run.id, run.attempts]).sort()).toEqual([[dependent.id, 0], [failing.id, 0]].sort());
  });

  it('gives a run back to the queue when its worker is closed mid-run, and another worker resumes it', async () => {
    const outDir = join(root, 'closed');
    const long = spec({ seed: 6, epochs: 4, trainLimit: 400 });
    await enqueueReproduction({ url: redis.url, queueName: 'closed', outDir, specs: [long] });
    let closing: Promise<void> | undefined;
    const first = await startQueueWorker({ url: redis.url, ...fast('closed'), onProgress: (_id, event) => { if (event.type === 'epoch' && closing === undefined) closing = first.close(); } });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => closing && (clearInterval(check), resolve()), 100);
    });
    await closing;
    const queue = await openQueue('closed', { host: '127.0.0.1', port: Number(new URL(redis.url).port) });
    const job = await queue.getJob(jobIdFor(long.id));
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    await queue.close();
    const stopped = await readRunRecord(join(outDir, long.id, 'run.json'));
    expect(stopped.status).toBe('interrupted');

    const epochs: number[] = [];
    const second = await startQueueWorker({ url: redis.url, ...fast('closed'), onProgress: (_id, event) => event.type === 'epoch' && epochs.push(event.entry.epoch) });
    try {
      const summary = await runQueuedReproduction({ url: redis.url, queueName: 'closed', outDir, specs: [long], pollMs: 200 });
      expect(summary.runs[0]!.outcome).toBe('complete');
    } finally {
      await second.close();
    }
    expect(epochs[0]).toBe(stopped.history.length + 1);
    expect((await readRunRecord(join(outDir, long.id, 'run.json'))).history.map((entry) => entry.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('recovers the run of a worker killed with SIGKILL: another worker finishes it from its checkpoint', async () => {
    const outDir = join(root, 'killed');
    const long = spec({ seed: 7, epochs: 5, trainLimit: 400 });
    await enqueueReproduction({ url: redis.url, queueName: 'killed', outDir, specs: [long] });
    const fixture = join(import.meta.dirname, 'test-fixtures/worker.mjs');
    const doomed: ChildProcess = spawn(process.execPath, [fixture, JSON.stringify({ url: redis.url, name: 'doomed', ...fast('killed') })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      doomed.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes(`epoch ${long.id} 1`)) resolve();
      });
      doomed.once('exit', (code) => reject(new Error(`the worker exited (${String(code)}) before its first epoch:\n${printed}`)));
    });
    const active = await queueStatus({ url: redis.url, queueName: 'killed' });
    expect(active.active.map((run) => [run.id, run.worker])).toEqual([[long.id, 'doomed']]);
    doomed.kill('SIGKILL');

    const epochs: number[] = [];
    const rescuer = await startQueueWorker({ url: redis.url, name: 'rescuer', ...fast('killed'), onProgress: (_id, event) => event.type === 'epoch' && epochs.push(event.entry.epoch) });
    try {
      const summary = await runQueuedReproduction({ url: redis.url, queueName: 'killed', outDir, specs: [long], pollMs: 200 });
      expect(summary.runs[0]!.outcome).toBe('complete');
    } finally {
      await rescuer.close();
    }
    // The rescuer started after the killed worker's last checkpoint, not from epoch 1.
    expect(epochs[0]).toBeGreaterThan(1);
    const record = await readRunRecord(join(outDir, long.id, 'run.json'));
    expect(record.history.map((entry) => entry.epoch)).toEqual([1, 2, 3, 4, 5]);
    const status = await queueStatus({ url: redis.url, queueName: 'killed' });
    expect(status.completed.map((run) => [run.id, run.worker])).toEqual([[long.id, 'rescuer']]);
  });

  it('produces the same run.json numbers as a local reproduction with the same seed, and a rerun skips it', async () => {
    const run = spec({ seed: 8 });
    const local = await runReproduction({ specs: [run], outDir: join(root, 'local') });
    const worker = await startQueueWorker({ url: redis.url, ...fast('same') });
    let queued;
    try {
      queued = await runQueuedReproduction({ url: redis.url, queueName: 'same', outDir: join(root, 'queued'), specs: [run], pollMs: 200 });
    } finally {
      await worker.close();
    }
    expect(local.runs[0]!.outcome).toBe('complete');
    expect(queued.runs[0]!.outcome).toBe('complete');
    const [a, b] = await Promise.all([readRunRecord(local.runs[0]!.runJson), readRunRecord(queued.runs[0]!.runJson)]);
    const numbers = (record: typeof a) => ({
      clean: record.evaluation?.clean,
      attacks: record.evaluation?.attacks.map(({ attack, eps, accuracy, n }) => ({ attack, eps, accuracy, n })),
    });
    expect(numbers(b).attacks).toHaveLength(1);
    expect(numbers(b)).toEqual(numbers(a));
    expect(b.history.map((entry) => entry.loss)).toEqual(a.history.map((entry) => entry.loss));
    const again = await runQueuedReproduction({ url: redis.url, queueName: 'same', outDir: join(root, 'queued'), specs: [run], pollMs: 200 });
    expect(again.runs[0]!.outcome).toBe('skipped');
    expect(JSON.parse(await readFile(join(root, 'queued', 'reproduction.json'), 'utf8')).queue).toBe(redis.url);
  });
});
