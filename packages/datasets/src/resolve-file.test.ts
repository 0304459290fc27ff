import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDatasetError } from './errors.js';
import { findFile, resolveOfficialFile, type ResolveOptions } from './resolve-file.js';
import { gzipWithMtime, labelsIdx, makeTempDir, removeDir, startServer, syntheticRegistryFile } from './testing-internal/fixtures.js';

let root: string;
const content = labelsIdx(Uint8Array.from({ length: 50 }, (_, i) => i % 10));
const archive = gzipWithMtime(content, 1000);
const file = syntheticRegistryFile('t10k-labels-idx1-ubyte.gz', archive, content, 50);

beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await removeDir(root);
});

/** Options pointing every place at folders under the temp root, with no real environment. */
function places(extra: ResolveOptions = {}): ResolveOptions {
  return { cacheDir: join(root, 'cache'), systemDir: join(root, 'system'), env: {}, download: false, ...extra };
}

async function put(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), bytes);
  return join(dir, name);
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; suggestion: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDatasetError(error)) throw new Error(`expected a DatasetError, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  return error;
}

describe('resolution order', () => {
  it('prefers dataDir, then APB_DATA_DIR, then the cache, then the system folder', async () => {
    const dataDir = join(root, 'data');
    const envDir = join(root, 'env');
    const system = await put(join(root, 'system', 'mnist'), file.file, archive);
    const options = (): ResolveOptions => places({ dataDir, env: { APB_DATA_DIR: envDir } });
    expect((await findFile('mnist', file, options())).found?.path).toBe(system);
    const cache = await put(join(root, 'cache', 'mnist'), file.file, archive);
    expect((await findFile('mnist', file, options())).found).toEqual({ source: 'cache', path: cache });
    const env = await put(envDir, file.file, archive);
    expect((await findFile('mnist', file, options())).found).toEqual({ source: 'APB_DATA_DIR', path: env });
    const data = await put(join(dataDir, 'mnist'), file.file, archive);
    expect((await findFile('mnist', file, options())).found).toEqual({ source: 'dataDir', path: data });
  });

  it('logs every place looked, including unset options', async () => {
    const lines: string[] = [];
    await findFile('mnist', file, places({ log: (line) => lines.push(line) }));
    expect(lines[0]).toMatch(/dataDir option not set/);
    expect(lines[1]).toMatch(/APB_DATA_DIR not set/);
    expect(lines.filter((l) => l.endsWith('not found'))).toHaveLength(4);
  });

  it('uses XDG_CACHE_HOME for the default cache', async () => {
    const cache = await put(join(root, 'xdg', 'apb', 'datasets', 'mnist'), file.file, archive);
    const { found } = await findFile('mnist', file, { env: { XDG_CACHE_HOME: join(root, 'xdg') }, systemDir: join(root, 'system') });
    expect(found).toEqual({ source: 'cache', path: cache });
  });
});

describe('verification', () => {
  it('accepts the published archive by its own sha256', async () => {
    await put(join(root, 'cache', 'mnist'), file.file, archive);
    const { resolved, content: out } = await resolveOfficialFile('mnist', file, places());
    expect(resolved).toMatchObject({ source: 'cache', verifiedBy: 'archive', sha256: file.sha256, contentSha256: file.decompressedSha256 });
    expect(out).toEqual(content);
  });

  it('accepts a recompressed copy (as Debian ships) by the sha256 of its content, recording both checksums', async () => {
    const recompressed = gzipWithMtime(content, 2000, 9);
    expect(recompressed).not.toEqual(archive);
    await put(join(root, 'system', 'fashion-mnist'), file.file, recompressed);
    const { resolved } = await resolveOfficialFile('fashion-mnist', file, places());
    expect(resolved.source).toBe('system');
    expect(resolved.verifiedBy).toBe('content');
    expect(resolved.sha256).not.toBe(file.sha256);
    expect(resolved.contentSha256).toBe(file.decompressedSha256);
  });

  it('accepts an uncompressed copy by the sha256 of its content', async () => {
    await put(join(root, 'cache', 'mnist'), 't10k-labels-idx1-ubyte', content);
    const { resolved } = await resolveOfficialFile('mnist', file, places());
    expect(resolved.verifiedBy).toBe('content');
  });

  it('rejects a file with other content, naming the file, the expected and the actual sha256', async () => {
    const other = gzipSync(labelsIdx(new Uint8Array(50)));
    const path = await put(join(root, 'cache', 'mnist'), file.file, other);
    const error = await errorOf(resolveOfficialFile('mnist', file, places()));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(`${path}: sha256 mismatch: expected ${file.sha256}`);
    expect(error.message).toMatch(/got [0-9a-f]{64} \(decompressed [0-9a-f]{64}\)/);
    expect(error.suggestion).toContain(`delete ${path}`);
  });

  it('rejects a truncated archive as a checksum mismatch that says it does not decompress', async () => {
    await put(join(root, 'cache', 'mnist'), file.file, archive.subarray(0, archive.length - 8));
    const error = await errorOf(resolveOfficialFile('mnist', file, places()));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toMatch(/gzip data is truncated/);
  });
});

describe('not found', () => {
  it('lists every place looked and the three ways to provide the file when offline', async () => {
    const error = await errorOf(resolveOfficialFile('fashion-mnist', file, places({ dataDir: join(root, 'data') })));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toMatch(/^fashion-mnist test labels \(t10k-labels-idx1-ubyte\.gz\) not found and download is off; looked in: /);
    for (const place of [join(root, 'data', 'fashion-mnist'), join(root, 'cache', 'fashion-mnist'), join(root, 'system', 'fashion-mnist'), 'APB_DATA_DIR (not set)']) {
      expect(error.message).toContain(place);
    }
    expect(error.suggestion).toMatch(/three ways: pass dataDir or set APB_DATA_DIR.*apb datasets fetch fashion-mnist.*dataset-fashion-mnist/);
  });
});

describe('download into the cache', () => {
  it('downloads a missing file from a local mirror, and finds it in the cache next time', async () => {
    const server = await startServer({ '/m/t10k-labels-idx1-ubyte.gz': { kind: 'file', body: archive } });
    try {
      const lines: string[] = [];
      const first = await resolveOfficialFile('mnist', file, places({ download: true, mirrors: [`${server.url}/m/`], log: (line) => lines.push(line) }));
      expect(lines).toContain(`${server.url}/m/t10k-labels-idx1-ubyte.gz: 100% of ${archive.length} bytes`);
      expect(first.resolved).toMatchObject({ source: 'download', verifiedBy: 'archive', url: `${server.url}/m/t10k-labels-idx1-ubyte.gz` });
      expect(first.resolved.path).toBe(join(root, 'cache', 'mnist', file.file));
    } finally {
      await server.close();
    }
    const second = await resolveOfficialFile('mnist', file, places({ download: true, mirrors: [`${server.url}/m/`] }));
    expect(second.resolved.source).toBe('cache');
  });

  it('fails with the mirrors tried and leaves no partial file when every mirror fails', async () => {
    const server = await startServer({ '/a/t10k-labels-idx1-ubyte.gz': { kind: 'truncate', body: archive, after: 10 } });
    try {
      const error = await errorOf(resolveOfficialFile('mnist', file, places({ download: true, mirrors: [`${server.url}/a/`, `${server.url}/b/`] })));
      expect(error.code).toBe('DOWNLOAD_FAILED');
      expect(error.message).toContain(`${server.url}/b/t10k-labels-idx1-ubyte.gz (HTTP 404)`);
      expect(await readdir(join(root, 'cache', 'mnist'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
