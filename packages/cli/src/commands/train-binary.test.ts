import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, ourLines, runBin } from '../testing-internal/run-bin.js';

const dataDir = process.env.APB_DATA_DIR;

/**
 * A run small enough for CI yet with enough batches per epoch (125) to be killed in the middle of
 * one; wasm, because the pure-JS cpu backend is two orders of magnitude slower.
 */
const TRAIN_ARGS = ['train', '--dataset', 'mnist', '--model', 'lenet', '--apb', 'naive', '--epochs', '3', '--batch-size', '16', '--train-limit', '2000', '--test-limit', '64', '--eval-attacks', 'fgsm', '--eval-diagnostics', 'false', '--backend', 'wasm', '--seed', '3'];

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the run to reach the middle of epoch 2');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(dataDir !== undefined)('apb train on real data', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-resume-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('continues from the last checkpoint and finishes with every epoch once', async () => {
    const out = join(dir, 'run');
    expect(existsSync(BIN)).toBe(true);
    const child = spawn(process.execPath, [BIN, ...TRAIN_ARGS, '--out', out], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The first checkpoint exists once epoch 1 is done; killing right after lands inside epoch 2.
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`train exited early: ${stderr}`);
      const entries = await readdir(join(out, 'checkpoints')).catch(() => [] as string[]);
      return entries.some((entry) => /^epoch-\d+$/.test(entry));
    }, 120_000);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    // Killed inside epoch 2: its checkpoint was never written.
    expect(await readdir(join(out, 'checkpoints'))).toEqual(['epoch-0001']);
    expect(existsSync(join(out, 'model', 'model.json'))).toBe(false);

    const again = await runBin([...TRAIN_ARGS, '--out', out], { timeoutMs: 60_000 });
    expect(again.code).toBe(1);
    expect(ourLines(again.stderr)[0]).toMatch(/already holds a run/);

    const resumed = await runBin([...TRAIN_ARGS, '--out', out, '--resume', '--json'], { timeoutMs: 180_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { status: string; history: { epoch: number }[] };
    expect(record.status).toBe('complete');
    expect(record.history.map((entry) => entry.epoch)).toEqual([1, 2, 3]);
    expect(existsSync(join(out, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'model-folded', 'model.json'))).toBe(true);
  }, 360_000);

  it('stops on a NaN loss with one line, exit code 1 and a failed run.json', async () => {
    const out = join(dir, 'nan');
    const result = await runBin(['train', '--dataset', 'mnist', '--epochs', '1', '--batch-size', '16', '--train-limit', '192', '--test-limit', '32', '--backend', 'wasm', '--lr', '1e30', '--out', out]);
    expect(result.code).toBe(1);
    const lines = ourLines(result.stderr).filter((line) => line.startsWith('apb:') || line.startsWith('  suggestion:'));
    expect(lines[0]).toMatch(/^apb: Training loss became NaN in epoch 1/);
    expect(lines).toHaveLength(2);
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { status: string; error?: string };
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/NaN/);
  }, 120_000);
});
