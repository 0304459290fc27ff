import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { pytorchFigures, pytorchRequest } from './pytorch.js';
import { userPathsSuite } from './user-paths.js';

describe('userPathsSuite', () => {
  it('measures nothing and says why when the native backend is not benched', async () => {
    const lines: string[] = [];
    const results = await userPathsSuite.run({ quick: true, backends: ['cpu'], log: (line) => lines.push(line) });
    expect(results).toEqual([]);
    expect(lines.join('\n')).toContain('user-paths: skipped');
  });
});

describe('pytorchFigures', () => {
  it('reads earlier figures from --pytorch-results FILE without running Python', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'apb-torch-')), 'torch.json');
    const report = { torch: '1.13.1', threads: 2, results: { fit: { imagesPerSecond: 9000, windowRates: [9000] } } };
    writeFileSync(file, JSON.stringify(report));
    const context = { quick: true, backends: ['native'], log: () => undefined, comparePytorch: file };
    const request = pytorchRequest(context);
    expect(request).toEqual({ compare: true, file });
    const figures = await pytorchFigures(context, { file }, { suite: 'user-paths', workloads: ['fit'], timing: { warmupSteps: 0, windows: 1, windowSeconds: 0 } });
    expect(figures).toEqual(report);
  });
});
