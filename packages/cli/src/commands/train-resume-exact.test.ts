import { listBackends } from '@apb/backend';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, runBin } from '../testing-internal/run-bin.js';
import { writeSyntheticIdx } from '../testing-internal/synthetic-idx.js';

/**
 * The native backend is the one exactness is promised on; where its addon is missing the test runs
 * on wasm, which is deterministic too (the pure-JS cpu backend would take minutes per epoch).
 */
const backend = (await listBackends()).some((entry) => entry.backend === 'native' && entry.available) ? 'native' : 'wasm';

let dir: string;
let args: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-resume-exact-'));
  const data = await writeSyntheticIdx(join(dir, 'data'), { train: 600, test: 100 });
  // Multimodal APB (non-trainable m moved in the backward pass) trained on FGSM with random start
  // (a seeded stream per epoch): every kind of state a resume has to restore.
  args = ['train', '--dataset', 'bars', '--dataset-dir', data, '--model', 'lenet-apb', '--apb', 'multimodal', '--memories', '8', '--scenario', 'adversarial', '--method', 'fast'];
  args.push('--epochs', '3', '--batch-size', '10', '--lr', '0.002', '--seed', '9', '--eval-attacks', 'fgsm', '--eval-diagnostics', 'false', '--backend', backend);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts `apb train`, waits until epoch 2 is under way, and kills it with SIGKILL. */
async function killDuringEpoch2(out: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args, '--out', out], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let trainingSince: number | undefined;
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  const epoch1Seconds = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Progress lines without a TTY: "train: train" when the epochs start, "train: epoch 1/3 ..."
      // once epoch 1 and its checkpoint are written.
      if (trainingSince === undefined && /^train: train$/m.test(stderr)) trainingSince = performance.now();
      if (trainingSince !== undefined && /^train: epoch 1\/3 /m.test(stderr)) resolve((performance.now() - trainingSince) / 1000);
    });
    child.on('close', () => reject(new Error(`train ended before epoch 2: ${stderr}`)));
  });
  // Well inside epoch 2: epochs take about equally long.
  await new Promise((resolve) => setTimeout(resolve, epoch1Seconds * 400));
  child.kill('SIGKILL');
  expect(await closed).toBe('SIGKILL');
}

/** What run.json must repeat exactly: everything but wall-clock times and dates. */
function measured(text: string): unknown {
  const record = JSON.parse(text) as { status: string; config: unknown; history: { epoch: number; loss: number; trainAccuracy: number }[]; evaluation: unknown; cost: { forwardPasses: number; backwardPasses: number } };
  const withoutSeconds = JSON.parse(JSON.stringify(record.evaluation, (key, value: unknown) => (key === 'seconds' ? undefined : value))) as unknown;
  return {
    status: record.status,
    config: record.config,
    history: record.history.map(({ epoch, loss, trainAccuracy }) => ({ epoch, loss, trainAccuracy })),
    evaluation: withoutSeconds,
    passes: [record.cost.forwardPasses, record.cost.backwardPasses],
  };
}

describe(`apb train --resume after SIGKILL (${backend} backend)`, () => {
  it('ends with the same weights, losses and evaluation, bit for bit, as the uninterrupted run', async () => {
    const straight = join(dir, 'straight');
    const uninterrupted = await runBin([...args, '--out', straight], { timeoutMs: 180_000 });
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const killed = join(dir, 'killed');
    await killDuringEpoch2(killed);
    // Killed inside epoch 2: only epoch 1's checkpoint exists, and no model or record was written.
    expect(await readdir(join(killed, 'checkpoints'))).toEqual(['epoch-0001']);
    expect(existsSync(join(killed, 'model'))).toBe(false);
    const resumed = await runBin([...args, '--out', killed, '--resume'], { timeoutMs: 180_000 });
    expect(resumed.code, resumed.stderr).toBe(0);

    for (const file of ['model/weights.bin', 'model-folded/weights.bin']) {
      const [expected, actual] = await Promise.all([readFile(join(straight, file)), readFile(join(killed, file))]);
      expect(actual.equals(expected), `${file} differs`).toBe(true);
    }
    const [expected, actual] = await Promise.all([readFile(join(straight, 'run.json'), 'utf8'), readFile(join(killed, 'run.json'), 'utf8')]);
    expect(measured(actual)).toEqual(measured(expected));
    expect((measured(actual) as { history: unknown[] }).history).toHaveLength(3);
  }, 480_000);
});
