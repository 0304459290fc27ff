import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { repoRoot, runSuites } from './run-bench.js';
import type { BenchSuite } from './suite.js';

describe('runSuites', () => {
  it('collects every suite’s results and records a failing suite without stopping the others', async () => {
    const lines: string[] = [];
    const good: BenchSuite = {
      name: 'good',
      description: 'returns one figure per backend',
      run: async (context) => context.backends.map((backend) => ({ suite: 'good', name: 'x', value: context.quick ? 1 : 2, unit: 'images/s', details: { backend } })),
    };
    const bad: BenchSuite = { name: 'bad', description: 'throws', run: () => Promise.reject(new Error('no data\nsecond line')) };
    const { results, errors } = await runSuites([bad, good], { quick: true, backends: ['wasm', 'cpu'], log: (line) => lines.push(line) });
    expect(results.map((r) => r.details?.backend)).toEqual(['wasm', 'cpu']);
    expect(results.every((r) => r.value === 1)).toBe(true);
    expect(errors).toEqual([{ suite: 'bad', message: 'no data' }]);
    expect(lines.some((line) => line.includes('suite bad failed'))).toBe(true);
  });
});

describe('repoRoot', () => {
  it('finds the folder holding pnpm-workspace.yaml above the start folder, else returns the start', () => {
    const root = mkdtempSync(join(tmpdir(), 'apb-root-'));
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const deep = mkdtempSync(join(root, 'a-'));
    expect(repoRoot(deep)).toBe(root);
    const lonely = mkdtempSync(join(tmpdir(), 'apb-lonely-'));
    expect(repoRoot(lonely)).toBe(lonely);
  });
});
