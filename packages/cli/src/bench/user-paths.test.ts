import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { listBackends } from '@apb/backend';
import { describe, expect, it } from 'vitest';

import { pytorchFigures, pytorchRequest } from './pytorch.js';
import { userPathsSuite } from './user-paths.js';

const nativeAvailable = (await listBackends()).find((entry) => entry.backend === 'native')?.available === true;

describe('userPathsSuite', () => {
  it('measures nothing and says why when the native backend is not benched', async () => {
    const lines: string[] = [];
    const results = await userPathsSuite.run({ quick: true, backends: ['cpu'], log: (line) => lines.push(line) });
    expect(results).toEqual([]);
    expect(lines.join('\n')).toContain('user-paths: skipped');
  });

  it.skipIf(!nativeAvailable)('times every path with both Adams and sets each beside the PyTorch figure of its workload', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'apb-torch-')), 'torch.json');
    const figure = { imagesPerSecond: 1000, windowRates: [1000] };
    writeFileSync(file, JSON.stringify({ torch: '1.13.1', threads: 2, results: { fit: figure, clean: figure, fgsm: figure } }));
    const results = await userPathsSuite.run({ quick: true, backends: ['native'], log: () => undefined, comparePytorch: file });
    const paths = ['fit', 'train-on-batch', 'fgsm-train-on-batch'];
    const ours = paths.flatMap((path) => [path, `${path}-stock-adam`]);
    expect(results.map((r) => r.name).sort()).toEqual([
      ...ours.map((name) => `user-${name}`),
      ...paths.map((path) => `pytorch-user-${path}`),
      ...ours.map((name) => `ratio-user-${name}-native-vs-pytorch`),
    ].sort());
    for (const name of ours) {
      const rate = results.find((r) => r.name === `user-${name}`)!.value;
      expect(rate).toBeGreaterThan(0);
      expect(results.find((r) => r.name === `ratio-user-${name}-native-vs-pytorch`)!.value).toBeCloseTo(rate / 1000, 10);
    }
  }, 180_000);
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
