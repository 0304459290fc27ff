import { ApbError } from '@apb/core';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Why a path cannot be written, in words, from Node's error code. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      // The folder above exists, yet creating an entry in it fails: /proc, /sys and the like.
      return 'this file system does not allow creating files there';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

function notWritable(what: string, path: string, reason: string): ApbError {
  return new ApbError(`Cannot write ${what} ${path}: ${reason}.`, {
    code: 'OUT_NOT_WRITABLE',
    suggestion: 'Choose a folder you can write to (not a file, not under /proc or /sys).',
  });
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    // ENOTDIR: a part above is a file; walking up finds it and says so.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Makes sure `dir` is a folder this process can create files in, creating it and any missing
 * parents first. Throws an `ApbError` (code `OUT_NOT_WRITABLE`) naming `what` and the path when
 * it is a file, sits under a file, or cannot be written.
 *
 * The folders are created one level at a time rather than with `mkdir({ recursive: true })`,
 * which on Node 20 loops forever (at 100% CPU, deaf to Ctrl-C) for a path under `/proc`.
 */
export async function ensureWritableDirectory(dir: string, what: string): Promise<void> {
  const absolute = resolve(dir);
  const missing: string[] = [];
  let existing = absolute;
  try {
    for (;;) {
      const info = await statOrUndefined(existing);
      if (info !== undefined) {
        if (!info.isDirectory()) throw notWritable(what, absolute, `${existing} is a file, not a folder`);
        break;
      }
      missing.unshift(existing);
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
    for (const folder of missing) {
      await mkdir(folder).catch(async (error: NodeJS.ErrnoException) => {
        // Another process may have made it in the meantime; that is fine if it is a folder.
        if (error.code !== 'EEXIST' || !(await stat(folder)).isDirectory()) throw error;
      });
    }
    // Permissions alone do not say whether a file can be made (root, read-only mounts, /proc).
    const probe = join(absolute, `.apb-write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
  } catch (error) {
    if (ApbError.isInstance(error)) throw error;
    throw notWritable(what, absolute, reasonOf(error));
  }
}
