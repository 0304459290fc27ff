// A pure-JS reference for long training runs: the cpu backend, except that Conv2DBackpropFilter
// (about 0.9 s per LeNet step at batch 8 in tfjs-backend-cpu 4.22, too slow for a few hundred
// steps) is computed with the cpu backend's own Transpose and Conv2D kernels. The native kernel is
// compared with the cpu kernel itself in conv2d-backprop-filter.test.ts.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** Name of the reference backend. */
export const REFERENCE_BACKEND = 'cpu-reference';

type Args = { inputs: Record<string, tf.TensorInfo>; backend: MathBackendCPU; attrs: Record<string, unknown> };

function cpu(name: string): (args: Args) => tf.TensorInfo {
  return tf.getKernel(name, 'cpu').kernelFunc as unknown as (args: Args) => tf.TensorInfo;
}

// dW[kh, kw, c, o] = sum over b, y, x of X[b, y + kh, x + kw, c] * dY[b, y, x, o] (stride 1,
// valid): a convolution of X with channels as batch and batch as channels, by dY as the filter.
function backpropFilterByConv(args: Args): tf.TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const transpose = cpu(tf.Transpose);
  const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
  const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
  const out = cpu(tf.Conv2D)({ inputs: { x: xT, filter: dyT }, backend, attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 } });
  const dw = transpose({ inputs: { x: out }, backend, attrs: { perm: [1, 2, 0, 3] } });
  for (const t of [xT, dyT, out]) backend.disposeIntermediateTensorInfo(t);
  return dw;
}

/** Registers (once) the reference backend; LeNet's convolutions are stride 1, valid. */
export function registerReferenceBackend(): void {
  if (tf.findBackendFactory(REFERENCE_BACKEND)) return;
  tf.registerBackend(REFERENCE_BACKEND, () => {
    const backend = new MathBackendCPU();
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, 0);
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (kernel.kernelName === tf.Conv2DBackpropFilter) {
      const fallback = kernel.kernelFunc as unknown as (args: Args) => tf.TensorInfo;
      const kernelFunc = (args: Args) => {
        const { strides, pad, dataFormat } = args.attrs as { strides: number | number[]; pad: unknown; dataFormat: string };
        const unitStride = strides === 1 || (Array.isArray(strides) && strides.every((s) => s === 1));
        return unitStride && pad === 'valid' && dataFormat === 'NHWC' ? backpropFilterByConv(args) : fallback(args);
      };
      tf.registerKernel({ ...kernel, backendName: REFERENCE_BACKEND, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    } else {
      tf.registerKernel({ ...kernel, backendName: REFERENCE_BACKEND });
    }
  }
}
