import { initBackend } from '@apb/backend';
import { writeIdx } from '@apb/datasets';
import { lenet, saveModel } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { handleError } from '../handle-error.js';
import { runEval } from './eval.js';

const COUNT = 24;
let dir: string;
let images: Uint8Array;
let labels: Uint8Array;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'apb-eval-'));
  // A seeded synthetic "dataset": random strokes, labels 0..9 in turn.
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  images = Uint8Array.from({ length: COUNT * 28 * 28 }, () => (next() < 0.2 ? 255 : 0));
  labels = Uint8Array.from({ length: COUNT }, (_, i) => i % 10);
  await writeIdx(join(dir, 'digits', 't10k-images-idx3-ubyte.gz'), { shape: [COUNT, 28, 28], data: images });
  await writeIdx(join(dir, 'digits', 't10k-labels-idx1-ubyte'), { shape: [COUNT], data: labels });
  const model = lenet({ apb: { kind: 'naive' }, seed: 7 });
  await saveModel(model, join(dir, 'run', 'model'));
  model.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function firstLine(error: unknown): string {
  const lines: string[] = [];
  handleError(error, { write: (line) => lines.push(line) });
  return lines[0] ?? '';
}

describe('runEval', () => {
  it('evaluates a run folder on any folder of IDX test files and matches a direct prediction', async () => {
    const result = await runEval({ model: join(dir, 'run'), dataDir: join(dir, 'digits'), evalAttacks: 'fgsm,noise', evalEps: '0.1,0.3', evalDiagnosticsLimit: 4, backend: 'cpu', out: join(dir, 'eval.json') });
    expect(result.dataset).toBe('digits');
    expect(result.evaluation.n).toBe(COUNT);
    // Reference: the same model's predictions on the same images, computed here.
    const { loadModel } = await import('@apb/layers');
    const model = await loadModel(join(dir, 'run', 'model'));
    const expected = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(images, (v) => v / 255), [COUNT, 28, 28, 1]);
      const predicted = Array.from(tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
      return predicted.filter((label, i) => label === labels[i]).length / COUNT;
    });
    model.dispose();
    expect(result.evaluation.clean.accuracy).toBeCloseTo(expected, 10);
    expect(result.evaluation.attacks.map((a) => `${a.attack}@${a.eps}`)).toEqual(['fgsm@0.1', 'fgsm@0.3', 'noise@0.1', 'noise@0.3']);
    for (const attack of result.evaluation.attacks) expect(attack.accuracy).toBeLessThanOrEqual(result.evaluation.clean.accuracy + 1e-9);
    expect(result.evaluation.diagnostics.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8'))).toMatchObject({ dataset: 'digits', evaluation: { n: COUNT } });
  });

  it('leaves no tensors behind', async () => {
    await runEval({ model: join(dir, 'run'), dataDir: join(dir, 'digits'), evalAttacks: 'fgsm', testLimit: 10, evalDiagnostics: false, backend: 'cpu' });
    const before = tf.memory().numTensors;
    await runEval({ model: join(dir, 'run'), dataDir: join(dir, 'digits'), evalAttacks: 'fgsm', testLimit: 10, evalDiagnostics: false, backend: 'cpu' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('still takes the old flag names, with one deprecation line each naming the new flag', async () => {
    const lines: string[] = [];
    const output = { log: () => undefined, info: (line: string) => lines.push(line), interactive: false };
    const result = await runEval({ model: join(dir, 'run'), dataDir: join(dir, 'digits'), attacks: 'fgsm', pgdSteps: '3', testLimit: 10, diagnostics: false, backend: 'cpu' }, output);
    expect(result.plan).toMatchObject({ attacks: ['fgsm'], pgdSteps: 3, diagnostics: false });
    expect(lines.filter((line) => line.includes('deprecated'))).toEqual([
      'apb eval: --attacks is deprecated; use --eval-attacks (the name apb train uses).',
      'apb eval: --pgd-steps is deprecated; use --eval-pgd-steps (the name apb train uses).',
      'apb eval: --no-diagnostics is deprecated; use --eval-diagnostics false (the name apb train uses).',
    ]);
  });

  it('says in one line when the model folder has no model', async () => {
    const error = await runEval({ model: join(dir, 'nothing'), dataDir: join(dir, 'digits'), backend: 'cpu' }).catch((e: unknown) => e);
    expect(firstLine(error)).toBe(`apb: No model.json in ${join(dir, 'nothing')} or ${join(dir, 'nothing', 'model')}.`);
  });

  it('says in one line when --data-dir holds no test files and the name is unknown', async () => {
    const error = await runEval({ model: join(dir, 'run'), dataDir: join(dir, 'run'), backend: 'cpu' }).catch((e: unknown) => e);
    expect(firstLine(error)).toMatch(/^apb: --dataset run is not a known dataset/);
  });
});
