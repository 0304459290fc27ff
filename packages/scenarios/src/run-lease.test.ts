import { isApbError } from '@apb/core';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLease, currentLeaseHolder, isRunHeldError, LEASE_FILE, waitForRelease, type LeaseHolder } from './run-lease.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-lease-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped) on this host. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

const lease = (holder: Partial<LeaseHolder>) =>
  writeFile(join(dir, LEASE_FILE), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'other', ...holder }));

describe('acquireRunLease', () => {
  it('writes pid, host and start time, and refuses a second lease naming the holder', async () => {
    const first = await acquireRunLease(dir);
    const written = JSON.parse(await readFile(join(dir, LEASE_FILE), 'utf8')) as LeaseHolder;
    expect(written).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Number.isNaN(Date.parse(written.startedAt))).toBe(false);

    const error = await acquireRunLease(dir).catch((e: unknown) => e);
    expect(isRunHeldError(error)).toBe(true);
    expect((error as Error).message).toBe(`${dir} is in use by another apb process: pid ${process.pid} on ${hostname()}, since ${written.startedAt}.`);

    await first.release();
    await expect(readFile(join(dir, LEASE_FILE))).rejects.toThrow(/ENOENT/);
    const second = await acquireRunLease(dir);
    await second.release();
  });

  it('lets exactly one of many simultaneous attempts win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireRunLease(dir)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(isRunHeldError(result.reason)).toBe(true);
  });

  it('takes over a lease whose process is gone from this host', async () => {
    await lease({ pid: deadPid() });
    expect(await currentLeaseHolder(dir)).toBeUndefined();
    const taken = await acquireRunLease(dir);
    expect(JSON.parse(await readFile(join(dir, LEASE_FILE), 'utf8'))).toMatchObject({ pid: process.pid, token: taken.holder.token });
    await taken.release();
  });

  it('keeps to a lease of another host and to an unreadable lease', async () => {
    await lease({ pid: deadPid(), hostname: `not-${hostname()}` });
    expect((await acquireRunLease(dir).catch((e: unknown) => e) as Error).message).toMatch(/pid \d+ on not-/);
    await writeFile(join(dir, LEASE_FILE), '{"pid":');
    const error = await acquireRunLease(dir).catch((e: unknown) => e);
    expect(isApbError(error) && error.code).toBe('RUN_HELD');
    expect((error as Error).message).toContain('unreadable');
  });

  it('leaves alone a lease that is no longer its own when releasing', async () => {
    const mine = await acquireRunLease(dir);
    await lease({ token: 'someone else' });
    await mine.release();
    expect(JSON.parse(await readFile(join(dir, LEASE_FILE), 'utf8'))).toMatchObject({ token: 'someone else' });
  });
});

describe('waitForRelease', () => {
  it('resolves once the holder releases, and false when aborted', async () => {
    const held = await acquireRunLease(dir);
    const controller = new AbortController();
    const aborted = waitForRelease(dir, { signal: controller.signal, intervalMs: 10 });
    controller.abort();
    expect(await aborted).toBe(false);
    const waiting = waitForRelease(dir, { intervalMs: 10 });
    setTimeout(() => void held.release(), 50);
    expect(await waiting).toBe(true);
  });
});
