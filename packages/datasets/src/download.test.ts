import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgress } from './download.js';
import { isDatasetError } from './errors.js';
import { sha256Hex } from './sha256.js';
import { makeTempDir, removeDir, startServer, type TestServer } from './testing-internal/fixtures.js';

// Big enough to arrive in several chunks, so progress and mid-way cuts are exercised.
const body = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff);
const corrupt = body.slice();
corrupt[1000] = 255 - (body[1000] ?? 0);
const sha256 = sha256Hex(body);

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer({
    '/good/f.gz': { kind: 'file', body },
    '/corrupt/f.gz': { kind: 'file', body: corrupt },
    '/short/f.gz': { kind: 'file', body: body.subarray(0, 1000) },
    '/cut/f.gz': { kind: 'truncate', body, after: 100_000 },
    '/moved/f.gz': { kind: 'redirect', location: '/good/f.gz' },
    '/error/f.gz': { kind: 'status', status: 500 },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const url = (path: string): string => `${server.url}${path}`;

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDatasetError(error)) throw new Error(`expected a DatasetError, got ${String(error)}`);
  expect(error.code).toBe('DOWNLOAD_FAILED');
  expect(error.message).not.toContain('\n');
  return error.message;
}

describe('downloadFile', () => {
  it('downloads and verifies a good file, reporting progress up to the total', async () => {
    const destination = join(dir, 'sub', 'f.gz');
    const progress: DownloadProgress[] = [];
    const result = await downloadFile({ urls: [url('/good/f.gz')], destination, expectedSha256: sha256, expectedBytes: body.length, onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ url: url('/good/f.gz'), path: destination, bytes: body.length, sha256 });
    // Compared by hash: a deep equality over 300,000 elements is slow in the test runner.
    expect(sha256Hex(await readFile(destination))).toBe(sha256);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ file: destination, url: url('/good/f.gz'), received: body.length, total: body.length });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.received).toBeGreaterThan(progress[i - 1]!.received);
    expect(await readdir(join(dir, 'sub'))).toEqual(['f.gz']);
  });

  it('moves on to the next mirror after a corrupt file, an HTTP error and a cut connection', async () => {
    const destination = join(dir, 'f.gz');
    const lines: string[] = [];
    const result = await downloadFile({
      urls: [url('/corrupt/f.gz'), url('/error/f.gz'), url('/cut/f.gz'), url('/good/f.gz')],
      destination,
      expectedSha256: sha256,
      log: (line) => lines.push(line),
    });
    expect(result.url).toBe(url('/good/f.gz'));
    expect(lines.filter((l) => l.includes('failed'))).toHaveLength(3);
    expect(await readdir(dir)).toEqual(['f.gz']);
  });

  it('follows redirects', async () => {
    const result = await downloadFile({ urls: [url('/moved/f.gz')], destination: join(dir, 'f.gz'), expectedSha256: sha256 });
    expect(result.bytes).toBe(body.length);
  });

  it('leaves nothing behind when the download fails midway', async () => {
    const message = await failure(downloadFile({ urls: [url('/cut/f.gz')], destination: join(dir, 'f.gz'), expectedSha256: sha256 }));
    expect(message).toMatch(/f\.gz: download failed from every mirror: .*\/cut\/f\.gz \((connection closed after \d+ bytes|aborted)\)/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names the expected and actual sha256 of a corrupt download, and the size of a short one', async () => {
    const message = await failure(
      downloadFile({ urls: [url('/corrupt/f.gz'), url('/short/f.gz')], destination: join(dir, 'f.gz'), expectedSha256: sha256, expectedBytes: body.length }),
    );
    expect(message).toContain(`sha256 mismatch: expected ${sha256}, got ${sha256Hex(corrupt)}`);
    expect(message).toContain(`got 1000 bytes, expected ${body.length}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps an existing destination untouched when a new download fails', async () => {
    const destination = join(dir, 'f.gz');
    await writeFile(destination, 'old');
    const message = await failure(downloadFile({ urls: [url('/missing/f.gz'), url('/cut/f.gz')], destination, expectedSha256: sha256 }));
    expect(message).toContain('HTTP 404');
    expect(await readFile(destination, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['f.gz']);
  });
});
