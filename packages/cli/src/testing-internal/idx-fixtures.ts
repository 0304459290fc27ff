import { writeIdx } from '@apb/datasets';
import { join } from 'node:path';

/** Knobs of {@link writeBandsDataset}. */
export interface BandsOptions {
  /** Image side in pixels (LeNet takes 28). */
  size?: number;
  /** Label of image i; default i % 10. */
  label?: (index: number) => number;
}

/**
 * Writes one split of a seeded synthetic data set of IDX files into `folder`: class k lights up a
 * row band, so a LeNet learns it in an epoch or two.
 */
export async function writeBandsDataset(folder: string, count: number, split: 'train' | 't10k', options: BandsOptions = {}): Promise<void> {
  const size = options.size ?? 28;
  const labelOf = options.label ?? ((index: number) => index % 10);
  const images = new Uint8Array(count * size * size);
  const labels = Uint8Array.from({ length: count }, (_, i) => labelOf(i));
  labels.forEach((label, i) => {
    const band = (label % 10) * 2 + 4;
    for (let row = band; row < band + 2; row++) images.fill(255, i * size * size + row * size + 4, i * size * size + row * size + 24);
  });
  await writeIdx(join(folder, `${split}-images-idx3-ubyte.gz`), { shape: [count, size, size], data: images });
  await writeIdx(join(folder, `${split}-labels-idx1-ubyte.gz`), { shape: [count], data: labels });
}
