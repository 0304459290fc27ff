import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendValues, DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { markEscaped, recycle } from './buffer-pool.js';

/**
 * The backend object of 'native': the cpu backend's data store, with native kernels' output arrays
 * returned to the pool of `buffer-pool.ts` when their last tensor is disposed, and marked as
 * escaped when they are read out.
 */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // The cpu backend's first write prints advice to install tfjs-node; on 'native' it is wrong.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  // read() and bufferSync() go through readSync, so this catches every way out of the backend.
  override readSync(dataId: DataId): BackendValues {
    markEscaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.data.get(dataId);
    const released = super.disposeData(dataId, force);
    // A forced dispose can drop data other tensors still name; such data is never reused.
    if (entry !== undefined && !force && !this.data.has(dataId)) recycle(entry.values);
    return released;
  }
}

/**
 * cpu kernels of 'native' checked to return only fresh arrays, or their input's own data through
 * its reference count (`Identity`, `Reshape`, `Cast` to the same dtype), never a view of an input.
 * Every other cpu kernel marks its inputs escaped before it runs (see {@link escapeTrackedKernel}).
 */
const VIEW_FREE_CPU_KERNELS = new Set([
  'Abs', 'ArgMax', 'Cast', 'Equal', 'Exp', 'Identity', 'Log', 'Max', 'Mean',
  'Neg', 'OneHot', 'Reshape', 'Select', 'ZerosLike', 'OnesLike', 'Fill', 'Greater', 'GreaterEqual', 'Less',
  'LessEqual', 'NotEqual', 'Sqrt', 'Square', 'SquaredDifference',
]);

/**
 * A cpu kernel as 'native' registers it: unchanged when it is view-free, else preceded by marking
 * its inputs' arrays escaped, since its output may be a view of them (the cpu `Slice` returns a
 * `subarray`) that outlives the input tensor.
 */
export function escapeTrackedKernel(kernel: KernelConfig): KernelConfig {
  if (VIEW_FREE_CPU_KERNELS.has(kernel.kernelName)) return kernel;
  const inner = kernel.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as MathBackendCPU;
    for (const input of Object.values<TensorInfo | undefined>(args.inputs)) {
      if (input !== undefined) markEscaped(backend.data.get(input.dataId)?.values);
    }
    return inner(args);
  };
  return { ...kernel, kernelFunc };
}
