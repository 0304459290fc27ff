import { isApbError } from '@apb/core';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runBin } from '../testing-internal/run-bin.js';
import { writeServeFixture, type ServeFixture } from '../testing-internal/serve-fixture.js';
import { runServe, type ServeHandle } from './serve.js';

/** A GET with the path sent exactly as given (fetch would normalise `..` away before sending). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('apb serve', () => {
  let base: string;
  let fixture: ServeFixture;
  let handle: ServeHandle;
  const SECRET = 'outside the served folder';

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'apb-serve-'));
    fixture = await writeServeFixture(base);
    await writeFile(join(base, 'secret.txt'), SECRET);
    await mkdir(join(base, 'elsewhere'));
    await writeFile(join(base, 'elsewhere', 'secret.txt'), SECRET);
    await symlink(join(base, 'elsewhere'), join(fixture.root, 'link-out'));
    await symlink(join(base, 'secret.txt'), join(fixture.root, 'linear', 'secret-link.txt'));
    handle = await runServe({ dir: fixture.root, port: 0 });
  });
  afterAll(async () => {
    await handle?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('lists every run with its headline numbers and whether the playground can load its folded model', async () => {
    const response = await fetch(new URL('/api/runs', handle.url));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { runs: { key: string; clean: number; attacks: { attack: string; eps: number; accuracy: number }[]; folded: { available: boolean; modelUrl?: string; reason?: string } }[] };
    expect(body.runs.map((run) => run.key)).toEqual(['linear', 'no-data', 'unfolded']);
    const [linear, , unfolded] = body.runs;
    expect(linear!.clean).toBe(0.97);
    expect(linear!.attacks).toContainEqual(expect.objectContaining({ attack: 'fgsm', eps: 0.3, accuracy: 0.05 }));
    expect(linear!.folded).toEqual({ available: true, modelUrl: '/files/linear/model-folded/model.json' });
    expect(unfolded!.folded.available).toBe(false);
    expect(unfolded!.folded.reason).toContain('unfolded/model-folded has no model.json or weights.bin');
  });

  it('serves a folded model and the web app', async () => {
    const model = await fetch(new URL('/files/linear/model-folded/model.json', handle.url));
    expect(model.status).toBe(200);
    expect(model.headers.get('content-type')).toContain('application/json');
    expect(((await model.json()) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const weights = await fetch(new URL('/files/linear/model-folded/weights.bin', handle.url));
    expect((await weights.arrayBuffer()).byteLength).toBe((784 * 10 + 10) * 4);
    const page = await fetch(handle.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>apb serve</title>');
  });

  it('serves nothing outside the folder: dot-dot, encoded dot-dot, absolute paths, symlinks out', async () => {
    const attempts = [
      '/files/../secret.txt',
      '/files/%2e%2e/secret.txt',
      '/files/%2E%2E%2Fsecret.txt',
      '/files/linear/..%2f..%2fsecret.txt',
      '/files/linear/%2e%2e/%2e%2e/secret.txt',
      '/files/..%5csecret.txt',
      `/files/${encodeURIComponent(join(base, 'secret.txt'))}`,
      `/files/${join(base, 'secret.txt')}`,
      '/files/link-out/secret.txt',
      '/files/linear/secret-link.txt',
      '/files/%00secret.txt',
      '/../secret.txt',
      '/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2f..%2fpackage.json',
    ];
    for (const path of attempts) {
      const { status, body } = await rawGet(handle.port, path);
      expect({ path, status, leaked: body.includes(SECRET) || body.includes('"name"') }).toEqual({ path, status: expect.toSatisfy((code: number) => code >= 400 && code < 500), leaked: false });
    }
  });

  it('returns test images of the run’s data set, and a clear error when the data set is gone', async () => {
    const images = await fetch(new URL('/api/test-images?run=linear&n=12&offset=5', handle.url));
    expect(images.status).toBe(200);
    const page = (await images.json()) as { count: number; offset: number; images: number[][]; labels: number[]; rows: number };
    expect(page).toMatchObject({ count: 50, offset: 5, rows: 28 });
    expect(page.images).toHaveLength(12);
    expect(page.images[0]).toHaveLength(784);
    // The synthetic set labels image i with i % 10.
    expect(page.labels).toEqual([5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6]);

    const missing = await fetch(new URL('/api/test-images?run=no-data', handle.url));
    expect(missing.status).toBe(404);
    const { error } = (await missing.json()) as { error: { code: string; message: string; suggestion: string } };
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toContain(join(base, 'deleted-data'));
    expect(error.suggestion).toContain('draw an image instead');

    const unknown = await fetch(new URL('/api/test-images?run=nope', handle.url));
    expect(unknown.status).toBe(404);
  });

  it('refuses a folder that does not exist and a port that is taken, in one line each', async () => {
    const missing = await runServe({ dir: join(base, 'nothing-here'), port: 0 }).catch((error: unknown) => error);
    expect(isApbError(missing) && missing.code).toBe('SERVE_DIR_NOT_FOUND');
    const taken = await runServe({ dir: fixture.root, port: handle.port }).catch((error: unknown) => error);
    expect(isApbError(taken) && taken.code).toBe('PORT_IN_USE');
    expect((taken as Error).message).toBe(`Port ${handle.port} on 127.0.0.1 is in use.`);
    await expect(runServe({ dir: fixture.root, port: 'abc' })).rejects.toThrow('must be a port number 0..65535');
  });

  it('has help with examples in the apb binary, and a missing folder is one line and exit code 1', async () => {
    const help = await runBin(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--port <port>');
    const missing = await runBin(['serve', join(base, 'nothing-here')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`apb: ${join(base, 'nothing-here')} is not a directory.`);
  });
});
