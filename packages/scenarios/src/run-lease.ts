import { ApbError } from '@apb/core';
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The file in a run folder that says which process is writing it. */
export const LEASE_FILE = 'lease.json';

/** Who holds a run folder. */
export interface LeaseHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lease (ISO 8601). */
  startedAt: string;
  /** Tells this lease apart from a later one of a process that got the same pid. */
  token: string;
}

/** A held run folder; {@link RunLease.release} gives it back. */
export interface RunLease {
  readonly directory: string;
  readonly holder: LeaseHolder;
  /** Removes the lease file if it is still this lease's (idempotent). */
  release(): Promise<void>;
}

/** The error code of a folder another live process holds. */
export const RUN_HELD = 'RUN_HELD';

/** True for the error {@link acquireRunLease} throws when another process holds the folder. */
export function isRunHeldError(error: unknown): error is ApbError {
  return ApbError.isInstance(error) && error.code === RUN_HELD;
}

/** Whether a process with this pid exists on this machine. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lease is stale when its process is gone. That can only be told on the machine it was taken on;
 * a lease from another host (a shared file system) counts as held until someone deletes it.
 */
export function isStaleLease(holder: LeaseHolder): boolean {
  return holder.hostname === hostname() && !processAlive(holder.pid);
}

type ReadHolder = LeaseHolder | 'missing' | 'unreadable';

async function readHolder(path: string): Promise<ReadHolder> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const json = JSON.parse(text) as Partial<LeaseHolder>;
    if (typeof json.pid === 'number' && typeof json.hostname === 'string' && typeof json.startedAt === 'string' && typeof json.token === 'string') return json as LeaseHolder;
  } catch {
    // falls through to unreadable
  }
  return 'unreadable';
}

/**
 * Creates `path` holding `content` only if it does not exist, atomically: the content is written to
 * a private file first and hard-linked into place (link fails with EEXIST like O_EXCL does), so a
 * reader never sees a half-written lease. File systems without hard links fall back to O_EXCL.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    try {
      await writeFile(path, content, { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Moves a stale lease aside. Two processes may both judge the same lease stale; the aside copy's
 * token says whether this one moved the stale lease or, having lost that race, a fresh one, which
 * it then puts back.
 */
async function breakStaleLease(path: string, stale: LeaseHolder): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readHolder(aside);
  if (typeof moved === 'object' && moved.token !== stale.token) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

function heldError(directory: string, holder: LeaseHolder | 'unreadable'): ApbError {
  const path = join(directory, LEASE_FILE);
  if (holder === 'unreadable') {
    return new ApbError(`${directory} is leased by a process apb cannot identify (${path} is unreadable).`, {
      code: RUN_HELD,
      suggestion: `If no apb process is writing ${directory}, delete ${path} and rerun.`,
    });
  }
  return new ApbError(`${directory} is in use by another apb process: pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}.`, {
    code: RUN_HELD,
    suggestion: `Wait for it to finish or choose another --out; if that process is gone, delete ${path}.`,
  });
}

/**
 * Leases the run folder `directory` (which must exist) for this process by creating its
 * `lease.json` (pid, host, start time). A lease whose process is gone from this host is taken
 * over; one held by a live process is an `ApbError` with code `RUN_HELD` whose one-line message
 * names the holder. Release it when done writing the folder.
 */
export async function acquireRunLease(directory: string): Promise<RunLease> {
  const path = join(directory, LEASE_FILE);
  const holder: LeaseHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  // A few rounds: each lost race (a lease released or broken in between) costs one.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await createExclusive(path, `${JSON.stringify(holder, null, 2)}\n`)) {
      let released = false;
      return {
        directory,
        holder,
        async release() {
          if (released) return;
          released = true;
          const current = await readHolder(path);
          if (typeof current === 'object' && current.token === holder.token) await rm(path, { force: true });
        },
      };
    }
    const current = await readHolder(path);
    if (current === 'missing') continue;
    if (current === 'unreadable' || !isStaleLease(current)) throw heldError(directory, current);
    await breakStaleLease(path, current);
  }
  const current = await readHolder(path);
  throw heldError(directory, typeof current === 'object' ? current : 'unreadable');
}

/** The live holder of a run folder's lease, or undefined when it is free (or only stale). */
export async function currentLeaseHolder(directory: string): Promise<LeaseHolder | undefined> {
  const current = await readHolder(join(directory, LEASE_FILE));
  return typeof current === 'object' && !isStaleLease(current) ? current : undefined;
}

/**
 * Waits until no live process holds `directory` (polling its lease file). Resolves true when it is
 * free, false when `signal` aborted the wait first.
 */
export async function waitForRelease(directory: string, options: { signal?: AbortSignal; intervalMs?: number } = {}): Promise<boolean> {
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    if (options.signal?.aborted) return false;
    if ((await currentLeaseHolder(directory)) === undefined) return true;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
