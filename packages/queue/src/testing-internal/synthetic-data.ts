import { lcg32 } from '@apb/core';
import { writeIdx } from '@apb/datasets';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A tiny learnable 10-class IDX data set in `directory` (class k: a bright bar at row 2k + 3 over
 * seeded noise), so queue tests train real LeNets in seconds without the MNIST files.
 */
export async function writeSyntheticDataset(directory: string, options: { train: number; test: number }): Promise<string> {
  await mkdir(directory, { recursive: true });
  const random = lcg32(11);
  for (const [prefix, count] of [['train', options.train], ['t10k', options.test]] as const) {
    const images = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i += 1) {
      labels[i] = i % 10;
      for (let p = 0; p < 784; p += 1) images[i * 784 + p] = Math.floor(random() * 60);
      for (let c = 4; c < 24; c += 1) images[i * 784 + (2 * (i % 10) + 3) * 28 + c] = 200 + Math.floor(random() * 55);
    }
    await writeIdx(join(directory, `${prefix}-images-idx3-ubyte`), { shape: [count, 28, 28], data: images });
    await writeIdx(join(directory, `${prefix}-labels-idx1-ubyte`), { shape: [count], data: labels });
  }
  return directory;
}
