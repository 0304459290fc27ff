import { tensor4d, type Tensor4D } from '@tensorflow/tfjs-core';
import type { Batch } from '../batches.js';
import type { Dataset } from '../dataset.js';
import { toFloat32 } from '../to-float32.js';

/**
 * Images of a dataset or batch as a float32 tensor `[n, rows, cols, channels]` in [0, 1] (1 channel when it names none). The caller
 * owns the tensor (dispose it, or create it inside `tf.tidy`).
 */
export function toTensor4D(data: Pick<Dataset | Batch, 'count' | 'rows' | 'cols' | 'images'> & { channels?: number }): Tensor4D {
  return tensor4d(toFloat32(data.images), [data.count, data.rows, data.cols, data.channels ?? 1], 'float32');
}
