import { isApbError } from '@apb/core';
import { mkdtemp, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWritableDirectory } from './output-location.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apb-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(path: string): Promise<string> {
  const error = await ensureWritableDirectory(path, 'the run folder').then(() => undefined, (e: unknown) => e);
  expect(isApbError(error) && error.code).toBe('OUT_NOT_WRITABLE');
  return (error as Error).message;
}

describe('ensureWritableDirectory', () => {
  it('creates missing folders and leaves nothing else behind', async () => {
    const target = join(dir, 'a', 'b', 'c');
    await ensureWritableDirectory(target, 'the run folder');
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await readdir(target)).toEqual([]);
  });

  it('refuses a file, and a folder under a file', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect(await failure(join(dir, 'file'))).toBe(`Cannot write the run folder ${join(dir, 'file')}: ${join(dir, 'file')} is a file, not a folder.`);
    expect(await failure(join(dir, 'file', 'run', 'deeper'))).toBe(`Cannot write the run folder ${join(dir, 'file', 'run', 'deeper')}: ${join(dir, 'file')} is a file, not a folder.`);
  });

  it.runIf(process.platform === 'linux')('refuses a place under /proc at once instead of looping', async () => {
    const started = performance.now();
    expect(await failure('/proc/apb-run/inner')).toMatch(/^Cannot write the run folder \/proc\/apb-run\/inner: /);
    expect(await failure('/proc/self')).toMatch(/^Cannot write the run folder \/proc\/self: /);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
