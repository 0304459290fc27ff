import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { makeTempDir, removeDir } from './testing-internal/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('writeFileAtomic', () => {
  it('creates the parent folder and writes the content', async () => {
    const path = join(dir, 'a', 'b', 'file.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('removes its temp file when the final rename fails', async () => {
    // A folder in the way makes the rename fail after the temp file was written.
    await mkdir(join(dir, 'taken'));
    await mkdir(join(dir, 'taken', 'child'));
    await expect(writeFileAtomic(join(dir, 'taken'), new Uint8Array([1]))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
