import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryPathFor, writeDirectoryAtomic, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-core-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('temporaryPathFor', () => {
  it('gives a fresh hidden name in the same folder each time', () => {
    const path = join(dir, 'run.json');
    const a = temporaryPathFor(path);
    expect(a.startsWith(join(dir, '.run.json.'))).toBe(true);
    expect(temporaryPathFor(path)).not.toBe(a);
  });
});

describe('writeFileAtomic', () => {
  it('creates the parent folder and writes the content', async () => {
    const path = join(dir, 'a', 'b', 'file.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('writes a string as UTF-8 and replaces an existing file', async () => {
    const path = join(dir, 'note.md');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'größe ✓\n');
    expect(await readFile(path, 'utf8')).toBe('größe ✓\n');
    expect(await readdir(dir)).toEqual(['note.md']);
  });

  it('removes its temp file when the final rename fails', async () => {
    // A folder in the way makes the rename fail after the temp file was written.
    await mkdir(join(dir, 'taken'));
    await mkdir(join(dir, 'taken', 'child'));
    await expect(writeFileAtomic(join(dir, 'taken'), new Uint8Array([1]))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('writeFileAtomicSync', () => {
  it('creates the parent folder, replaces the file and leaves no temp file', async () => {
    const path = join(dir, 'bench', 'latest.json');
    writeFileAtomicSync(path, '{"a":1}\n');
    writeFileAtomicSync(path, '{"a":2}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(join(dir, 'bench'))).toEqual(['latest.json']);
  });

  it('removes its temp file when the final rename fails', async () => {
    await mkdir(join(dir, 'taken', 'child'), { recursive: true });
    expect(() => writeFileAtomicSync(join(dir, 'taken'), 'x')).toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('writeDirectoryAtomic', () => {
  it('puts a filled folder in place and replaces an old one with all its files', async () => {
    const path = join(dir, 'model');
    await writeDirectoryAtomic(path, async (folder) => {
      await writeFile(join(folder, 'old.bin'), 'old');
    });
    await writeDirectoryAtomic(path, async (folder) => {
      await writeFile(join(folder, 'weights.bin'), 'new');
    });
    expect(await readdir(path)).toEqual(['weights.bin']);
    expect(await readFile(join(path, 'weights.bin'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('leaves the old folder untouched and no temp folder when filling fails', async () => {
    const path = join(dir, 'model');
    await writeDirectoryAtomic(path, (folder) => writeFile(join(folder, 'kept.bin'), 'kept'));
    await expect(
      writeDirectoryAtomic(path, async (folder) => {
        await writeFile(join(folder, 'half.bin'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(path)).toEqual(['kept.bin']);
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('puts the old folder back when the new one cannot be moved in', async () => {
    const path = join(dir, 'model');
    await writeDirectoryAtomic(path, (folder) => writeFile(join(folder, 'kept.bin'), 'kept'));
    // Removing the filled folder from inside fill makes the second rename fail after the old
    // folder has stepped aside.
    await expect(writeDirectoryAtomic(path, (folder) => rm(folder, { recursive: true }))).rejects.toThrow();
    expect(await readdir(path)).toEqual(['kept.bin']);
    expect(await readdir(dir)).toEqual(['model']);
  });
});
