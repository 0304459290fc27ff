import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A fresh hidden path beside `path` for writing before a rename: the same folder keeps the rename
 * on one file system (so it is atomic), and the pid plus random suffix keep concurrent writers of
 * the same file apart.
 */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `data` (a string is written as UTF-8) to `path` through a temporary file and a rename,
 * so a reader, or a killed process, sees the old content or the new one, never half a file.
 * Creates the parent folder; on failure removes the temporary file and rethrows.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** {@link writeFileAtomic} for synchronous callers. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Fills a fresh folder with `fill(temporaryFolder)` and puts it at `path` by renaming, replacing
 * what was there, so `path` never holds a half-written folder. If `fill` or the swap fails, `path`
 * is left as it was. A process killed between the two renames of the swap leaves the old folder
 * beside `path` under a hidden `.tmp.old` name instead.
 */
export async function writeDirectoryAtomic(path: string, fill: (directory: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  const previous = `${temporary}.old`;
  await mkdir(temporary, { recursive: true });
  let moved = false;
  try {
    await fill(temporary);
    // rename() cannot replace a non-empty folder, so the old one steps aside first.
    moved = await rename(path, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(temporary, path);
  } catch (error) {
    // Put the old folder back, so a failed swap leaves things as they were.
    if (moved) await rename(previous, path).catch(() => undefined);
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  if (moved) await rm(previous, { recursive: true, force: true });
}
