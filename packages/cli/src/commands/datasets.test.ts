import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { handleError } from '../handle-error.js';
import { ourLines, runBin } from '../testing-internal/run-bin.js';
import { runDatasetsCommand } from './datasets.js';

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'apb-datasets-'));
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

/** No data anywhere: an empty data dir, cache and system dir, and no APB_DATA_DIR. */
const nowhere = () => ({ APB_DATA_DIR: undefined, XDG_CACHE_HOME: empty });

describe('apb datasets', () => {
  it('lists every file of both datasets as missing when there is no data anywhere', async () => {
    const report = await runDatasetsCommand({ action: 'list', dataDir: empty, cacheDir: empty }, undefined, { env: {}, systemDir: empty });
    expect(report.datasets.map((d) => d.name)).toEqual(['mnist', 'fashion-mnist']);
    expect(report.datasets.flatMap((d) => d.files.map((f) => f.status))).toEqual(Array(8).fill('missing'));
  });

  it('exits 1 from verify when files are missing, and prints JSON with --json', async () => {
    const result = await runBin(['datasets', 'verify', 'mnist', '--data-dir', empty, '--cache-dir', empty, '--json'], { env: nowhere() });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; datasets: { name: string }[] };
    expect(report.ok).toBe(false);
    expect(report.datasets.map((d) => d.name)).toEqual(['mnist']);
  });

  it('rejects an unknown dataset name in one line', async () => {
    const error = await runDatasetsCommand({ action: 'list', names: ['cifar10'] }).catch((e: unknown) => e);
    const lines: string[] = [];
    handleError(error, { write: (line) => lines.push(line) });
    expect(lines[0]).toBe('apb: unknown data set cifar10; known: mnist, fashion-mnist');
    const binary = await runBin(['datasets', 'list', 'cifar10']);
    expect(binary.code).toBe(1);
    expect(ourLines(binary.stderr)[0]).toBe('apb: unknown data set cifar10; known: mnist, fashion-mnist');
  });

  it.runIf(process.env.APB_DATA_DIR !== undefined)('verifies the checksums of the data in APB_DATA_DIR', async () => {
    const report = await runDatasetsCommand({ action: 'verify', names: ['mnist'], dataDir: process.env.APB_DATA_DIR });
    expect(report.ok).toBe(true);
    expect(report.datasets[0]?.files.every((f) => f.status === 'verified')).toBe(true);
  }, 60_000);
});
