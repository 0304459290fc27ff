import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

import { ACTIVATION_CODES, type NativeAddon } from './addon.js';
import { outputArray } from './buffer-pool.js';

/**
 * Outer products computed when first read.
 *
 * Multimodal APB's `W_ap` gradient is the outer product of the memories (h) and the upstream
 * gradient's sum (n): 2.1 M floats for LeNet at h = 10,000, written by BatchMatMul only for the
 * fused Adam step to read them back, a tenth of that step's memory traffic. So a BatchMatMul with
 * one term per entry (k = 1) of at least {@link DEFERRED_OUTER_MIN} entries returns a tensor whose
 * data entry keeps copies of the two vectors and computes its `values` the first time anything
 * reads them: any kernel (they all read `values` from the backend's data store), `dataSync`,
 * `data`, a move to another backend. The fused Adam kernel asks for the vectors instead
 * ({@link pendingOuter}) and forms each entry as it needs it, with the same fma, so the numbers
 * are the same whichever way the gradient is consumed.
 *
 * The copies matter: the vectors' own arrays go back to the buffer pool when their tensors are
 * disposed (the memories' saved copy, right after the backward pass), and would then be reused.
 */

/** Entries below this are cheap to write out; deferring them only adds bookkeeping. */
export const DEFERRED_OUTER_MIN = 1 << 16;

/** The two vectors of a deferred outer product: entry (i, j) is fma(column[i], row[j], +0). */
export interface OuterFactors {
  column: Float32Array;
  row: Float32Array;
}

const pending = new WeakMap<DataId, OuterFactors>();
const NO_VALUES = new Float32Array(0);

/** The vectors of `dataId`'s outer product if it is deferred and not yet computed. */
export function pendingOuter(dataId: DataId): OuterFactors | undefined {
  return pending.get(dataId);
}

/** Forgets a deferred product whose data is being dropped unread. */
export function dropPendingOuter(dataId: DataId): void {
  pending.delete(dataId);
}

/** A tensor of shape `shape` (h x n entries) holding the outer product of `column` and `row`, computed when first read. */
export function deferredOuter(backend: MathBackendCPU, addon: NativeAddon, shape: number[], column: Float32Array, row: Float32Array): TensorInfo {
  const info = backend.makeTensorInfo(shape, 'float32', NO_VALUES);
  const entry = backend.data.get(info.dataId)!;
  const factors: OuterFactors = { column: column.slice(), row: row.slice() };
  pending.set(info.dataId, factors);
  const settle = (values: unknown) => {
    pending.delete(info.dataId);
    Object.defineProperty(entry, 'values', { value: values, writable: true, configurable: true, enumerable: true });
  };
  Object.defineProperty(entry, 'values', {
    configurable: true,
    enumerable: true,
    get() {
      const h = factors.column.length;
      const n = factors.row.length;
      const values = outputArray(h * n);
      addon.batchMatMul(factors.column, factors.row, values, 1, 1, h, n, 1, false, false, null, ACTIVATION_CODES.linear);
      settle(values);
      return values;
    },
    set: settle,
  });
  return info;
}
