import * as tf from '@tensorflow/tfjs-core';
import { ApbError, createRng } from '@apb/core';

/** Images and labels to evaluate on; see {@link DatasetView}. */
export interface RobustnessData {
  /** `[n, h, w, c]` in [0, 1], or the same values flat (square single-channel images, e.g. n*784 for MNIST). */
  images: tf.Tensor4D | Float32Array;
  /** One integer label per image. */
  labels: Uint8Array | Int32Array;
}

/**
 * Batches of a data set, by index, without ever materialising the whole set as one tensor twice.
 * Flat arrays stay on the JS heap and only one batch at a time becomes a tensor.
 */
export class DatasetView {
  readonly count: number;
  readonly shape: [number, number, number];
  private readonly data: RobustnessData;

  constructor(data: RobustnessData) {
    if (data === undefined || data === null || data.labels === undefined || data.images === undefined) {
      throw new ApbError('evaluateRobustness: data must have images and labels', {
        code: 'INVALID_INPUT',
        suggestion: 'Pass { images, labels }.',
      });
    }
    this.data = data;
    this.count = data.labels.length;
    if (data.images instanceof Float32Array) {
      const perImage = data.images.length / Math.max(this.count, 1);
      const side = Math.round(Math.sqrt(perImage));
      if (!Number.isInteger(perImage) || side * side !== perImage) {
        throw new ApbError(
          `evaluateRobustness: data.images has ${data.images.length} values for ${this.count} labels, which is not n square single-channel images`,
          { code: 'INVALID_INPUT', suggestion: 'Pass images as a Tensor4D [n, h, w, c] or n*h*h floats, one label per image.' },
        );
      }
      this.shape = [side, side, 1];
    } else {
      const [n, h, w, c] = data.images.shape;
      if (data.images.rank !== 4 || n !== this.count) {
        throw new ApbError(
          `evaluateRobustness: data.images is [${data.images.shape.join(', ')}] but there are ${this.count} labels`,
          { code: 'INVALID_INPUT', suggestion: 'Pass a Tensor4D [n, h, w, c] with one label per image.' },
        );
      }
      this.shape = [h, w, c];
    }
  }

  /** Images and `int32` labels of the examples `indices` (ascending), as new tensors. */
  batch(indices: ArrayLike<number>): { images: tf.Tensor4D; labels: tf.Tensor1D } {
    const rows = Array.from(indices);
    const labels = tf.tensor1d(rows.map((i) => this.data.labels[i] as number), 'int32');
    const [h, w, c] = this.shape;
    const images = this.data.images;
    if (images instanceof Float32Array) {
      const size = h * w * c;
      const out = new Float32Array(rows.length * size);
      rows.forEach((i, j) => out.set(images.subarray(i * size, (i + 1) * size), j * size));
      return { images: tf.tensor4d(out, [rows.length, h, w, c]), labels };
    }
    const contiguous = rows.length > 0 && rows[rows.length - 1]! - rows[0]! === rows.length - 1;
    const picked = contiguous
      ? tf.slice(images, [rows[0]!, 0, 0, 0], [rows.length, h, w, c])
      : tf.tidy(() => tf.gather(images, tf.tensor1d(rows, 'int32')));
    return { images: picked, labels };
  }
}

/**
 * A fixed seeded subset of `size` of the indices `0..count-1`, ascending. Smaller subsets are
 * prefixes of larger ones for the same seed, so every attack limited to a subset sees the same
 * examples as far as its size allows.
 */
export function seededSubset(count: number, size: number, seed: number): number[] {
  if (size >= count) return Array.from({ length: count }, (_, i) => i);
  const order = Array.from({ length: count }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.slice(0, size).sort((a, b) => a - b);
}
