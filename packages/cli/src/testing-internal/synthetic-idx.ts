import { writeIdx } from '@apb/datasets';
import { join } from 'node:path';

/**
 * Writes a seeded, learnable 10-class folder of 28x28 IDX files (`train-*` and `t10k-*`) for
 * `--dataset-dir`: class k is a bright bar at row 2k + 4 over seeded noise, so the loss keeps
 * moving for a few epochs without being trivial in the first batches.
 */
export async function writeSyntheticIdx(folder: string, options: { train: number; test: number; seed?: number }): Promise<string> {
  let state = (options.seed ?? 7) >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (const [split, count] of [['train', options.train], ['t10k', options.test]] as const) {
    const images = new Uint8Array(count * 784);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    labels.forEach((label, i) => {
      for (let p = 0; p < 784; p += 1) images[i * 784 + p] = Math.floor(random() * 120);
      const row = label * 2 + 4;
      for (let c = 4; c < 24; c += 1) images[i * 784 + row * 28 + c] = 150 + Math.floor(random() * 105);
    });
    await writeIdx(join(folder, `${split}-images-idx3-ubyte`), { shape: [count, 28, 28], data: images });
    await writeIdx(join(folder, `${split}-labels-idx1-ubyte`), { shape: [count], data: labels });
  }
  return folder;
}
