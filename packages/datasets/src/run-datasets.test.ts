import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDatasets, type RunDatasetsOptions } from './run-datasets.js';
import { makeTempDir, removeDir, startServer } from './testing-internal/fixtures.js';

let root: string;
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await removeDir(root);
});

function options(action: RunDatasetsOptions['action'], extra: Partial<RunDatasetsOptions> = {}): RunDatasetsOptions {
  return { action, cacheDir: join(root, 'cache'), systemDir: join(root, 'system'), env: {}, download: false, ...extra };
}

describe('runDatasets', () => {
  it('lists every file of both data sets with the places looked when nothing is present', async () => {
    const report = await runDatasets(options('list'));
    expect(report.action).toBe('list');
    expect(report.ok).toBe(true);
    expect(report.datasets.map((d) => d.name)).toEqual(['mnist', 'fashion-mnist']);
    for (const dataset of report.datasets) {
      expect(dataset.files).toHaveLength(4);
      for (const file of dataset.files) {
        expect(file.status).toBe('missing');
        expect(file.looked).toContain(`cache ${join(root, 'cache', dataset.name, file.file)}`);
        expect(file.looked).toContain(`system ${join(root, 'system', dataset.name, file.file)}`);
      }
    }
  });

  it('reports a wrong file as a mismatch and a missing one as missing when verifying', async () => {
    await mkdir(join(root, 'data', 'mnist'), { recursive: true });
    await writeFile(join(root, 'data', 'mnist', 't10k-labels-idx1-ubyte.gz'), 'not the archive');
    const report = await runDatasets(options('verify', { names: ['mnist'], dataDir: join(root, 'data') }));
    expect(report.ok).toBe(false);
    const byFile = Object.fromEntries(report.datasets[0]!.files.map((f) => [f.file, f]));
    expect(byFile['t10k-labels-idx1-ubyte.gz']).toMatchObject({ status: 'mismatch', source: 'dataDir' });
    expect(byFile['t10k-labels-idx1-ubyte.gz']!.message).toMatch(/sha256 mismatch: expected f7ae60f9/);
    expect(byFile['train-images-idx3-ubyte.gz']!.status).toBe('missing');
  });

  it('reports failed fetches per file and writes nothing into the cache', async () => {
    const server = await startServer({});
    try {
      const report = await runDatasets(options('fetch', { names: ['fashion-mnist'], download: true, mirrors: [`${server.url}/`] }));
      expect(report.ok).toBe(false);
      for (const file of report.datasets[0]!.files) {
        expect(file.status).toBe('error');
        expect(file.message).toContain('HTTP 404');
      }
      expect(server.hits.size).toBe(4);
    } finally {
      await server.close();
    }
    expect(await readdir(join(root, 'cache', 'fashion-mnist'))).toEqual([]);
  });

  it('rejects an unknown data set or action by name', async () => {
    await expect(runDatasets(options('list', { names: ['cifar'] }))).rejects.toThrow(/unknown data set cifar/);
    await expect(runDatasets(options('nuke' as 'list'))).rejects.toThrow(/action: expected list, verify or fetch/);
  });
});
