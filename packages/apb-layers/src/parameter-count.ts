import type * as tfl from '@tensorflow/tfjs-layers';

/** Number of scalar parameters of a model, split as tfjs-layers splits its weights. */
export interface ParameterCount {
  /** Weights the optimizer updates (W, W_ap, Dense biases, convolution kernels...). */
  trainable: number;
  /** Weights the optimizer never touches (the APB `delta` and memories `m`). */
  nonTrainable: number;
  /** `trainable + nonTrainable`; equals `model.countParams()`. */
  total: number;
}

/** Counts a model's parameters; compare before and after `foldApb` to see what folding saves. */
export function parameterCount(model: tfl.LayersModel): ParameterCount {
  const size = (weights: tfl.LayerVariable[]): number =>
    weights.reduce((sum, weight) => sum + weight.shape.reduce<number>((product, dim) => product * (dim ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { trainable, nonTrainable, total: trainable + nonTrainable };
}
