import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { outputArray } from '../buffer-pool.js';

export { outputArray };

/** The arguments every kernel function receives, with the backend typed as the cpu backend. */
export type CpuKernelArgs = Parameters<KernelFunc>[0] & { backend: MathBackendCPU };

/**
 * The cpu backend's implementation of a kernel: native kernels hand over to it for the cases they
 * do not cover (other dtypes, NCHW, activations without a native epilogue), so results never
 * depend on which cases are native.
 */
export function cpuKernelFunc(name: string): KernelFunc {
  const config = getKernel(name, 'cpu');
  if (!config) {
    throw new Error(`The cpu backend has no '${name}' kernel to fall back on; import '@tensorflow/tfjs-backend-cpu' first.`);
  }
  return config.kernelFunc;
}

/** The Float32Array the cpu backend stores for `tensor`, without copying; undefined for other dtypes. */
export function floatValues(backend: MathBackendCPU, tensor: TensorInfo): Float32Array | undefined {
  if (tensor.dtype !== 'float32') return undefined;
  const values = backend.data.get(tensor.dataId)?.values;
  return values instanceof Float32Array ? values : undefined;
}

/** A kernel registered for the 'native' backend. */
export type NativeKernelConfig = Omit<KernelConfig, 'backendName'>;

/**
 * An elementwise kernel on float32 tensors: `apply` fills a fresh output of x's size from x's values
 * and the kernel's attributes. Other dtypes go to the cpu kernel.
 */
export function floatUnaryKernel<Attrs>(kernelName: string, apply: (x: Float32Array, y: Float32Array, attrs: Attrs) => void): NativeKernelConfig {
  const fallback = cpuKernelFunc(kernelName);
  const kernelFunc = (args: CpuKernelArgs) => {
    const { inputs, backend } = args;
    const { x } = inputs as unknown as { x: TensorInfo };
    const xValues = floatValues(backend, x);
    if (!xValues) return fallback(args);
    const y = outputArray(xValues.length);
    apply(xValues, y, args.attrs as unknown as Attrs);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
  return { kernelName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
