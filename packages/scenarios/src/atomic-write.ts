import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file so that readers see the old content or the new one, never half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Fills a fresh directory with `fill(temporaryDir)` and puts it at `path` by renaming, replacing
 * what was there: a crash leaves either the old directory or the new one (plus a stray temp dir).
 */
export async function writeDirectoryAtomic(path: string, fill: (directory: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  const previous = `${temporary}.old`;
  await mkdir(temporary, { recursive: true });
  try {
    await fill(temporary);
    // rename() cannot replace a non-empty directory, so the old one steps aside first.
    const moved = await rename(path, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(temporary, path);
    if (moved) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
