import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../output.js';
import { runTrain } from './train.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'apb-train-command-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `apb train` on a data folder that does not exist (it fails once the configuration is accepted) and returns its stderr lines. */
async function stderrOf(flags: Record<string, unknown>): Promise<string[]> {
  const lines: string[] = [];
  const output: Output = { log: () => undefined, info: (line) => lines.push(line), interactive: false };
  await expect(runTrain({ ...flags, datasetDir: join(root, 'missing'), dataset: 'missing', backend: 'cpu', out: join(root, 'run') }, { output })).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
  return lines;
}

describe('apb train --model', () => {
  it('says in one line that --model lenet-apb is the old spelling of --model lenet --apb', async () => {
    const lines = await stderrOf({ model: 'lenet-apb', apb: 'multimodal', memories: '4' });
    expect(lines.filter((line) => line.includes('deprecated'))).toEqual(['apb: --model lenet-apb is deprecated; use --model lenet --apb multimodal (same run, same id)']);
  });

  it('says nothing of the kind for --model lenet --apb naive', async () => {
    const lines = await stderrOf({ model: 'lenet', apb: 'naive' });
    expect(lines.some((line) => line.includes('deprecated'))).toBe(false);
  });
});
