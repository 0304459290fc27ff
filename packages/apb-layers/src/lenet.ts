import * as tfl from '@tensorflow/tfjs-layers';
import { ApbError } from '@apb/core';
import { rejectUnknownOptions, resolveApbUpdate, validateApbSpec, type ApbSpec, type ApbUpdateOptions } from './apb-options.js';
import { denseApb } from './dense-apb.js';

/** The three fully connected layers of LeNet, the only places an APB can go. */
export type LenetFcLayer = 'fc1' | 'fc2' | 'fc3';

/** Options of {@link lenet}. */
export interface LenetOptions extends ApbUpdateOptions {
  /** APB kind for the chosen FC layers; `null`/absent builds the classical LeNet. */
  apb?: ApbSpec | null;
  /** Which FC layers get an APB instead of their bias. Default all three. */
  apbLayers?: LenetFcLayer[];
  /**
   * Padding of the first convolution. `same` (default) is LeCun's LeNet-5, which pads the 28x28
   * digits to 32x32 (flatten size 400); `valid` gives flatten size 256. The paper does not say.
   */
  firstConvPadding?: 'same' | 'valid';
  /** Seed of every initializer (layer i gets `seed + 10 i`), so equal seeds give equal models. Default 0. */
  seed?: number;
  /** Model name. */
  name?: string;
}

const FC_LAYERS: readonly LenetFcLayer[] = ['fc1', 'fc2', 'fc3'];
const LENET_KEYS = ['apb', 'apbLayers', 'firstConvPadding', 'seed', 'name', 'eps', 'direction', 'mode', 'clip', 'memoryStep'];

/**
 * The paper's LeNet: conv 6@5x5 - relu - maxpool 2 - conv 16@5x5 - relu - maxpool 2 - flatten -
 * fc 120 - relu - fc 84 - relu - fc 10, on 28x28x1 inputs in [0, 1]. Outputs **logits** (softmax
 * belongs to the loss, see `softmaxCrossEntropyLoss`). With `apb`, the chosen FC layers are
 * `denseApb` layers (layer names `fc1`..`fc3` either way).
 */
export function lenet(options: LenetOptions = {}): tfl.Sequential {
  rejectUnknownOptions(options, LENET_KEYS, 'lenet');
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new ApbError(`lenet: option 'seed' must be an integer, got ${String(seed)}`, { code: 'INVALID_OPTION', suggestion: 'Pass an integer seed, e.g. seed: 1.' });
  }
  const apb = options.apb == null ? null : validateApbSpec(options.apb, 'lenet');
  const update = resolveApbUpdate(options, 'lenet');
  const apbLayers = options.apbLayers ?? [...FC_LAYERS];
  for (const layer of apbLayers) {
    if (!FC_LAYERS.includes(layer)) {
      throw new ApbError(`lenet: option 'apbLayers' contains '${String(layer)}'`, { code: 'INVALID_OPTION', suggestion: "Use a subset of ['fc1', 'fc2', 'fc3']." });
    }
  }
  const padding = options.firstConvPadding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') {
    throw new ApbError(`lenet: option 'firstConvPadding' must be 'same' or 'valid', got ${String(padding)}`, { code: 'INVALID_OPTION', suggestion: "Use 'same' (LeNet-5) or 'valid'." });
  }
  const init = (index: number) => tfl.initializers.glorotUniform({ seed: seed + 10 * index });
  const model = tfl.sequential({ name: options.name ?? (apb === null ? 'lenet' : `lenet_apb_${apb.kind}`) });
  model.add(tfl.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding, activation: 'relu', kernelInitializer: init(0) }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  model.add(tfl.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: init(1) }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  const fcs: [LenetFcLayer, number, 'relu' | 'linear'][] = [['fc1', 120, 'relu'], ['fc2', 84, 'relu'], ['fc3', 10, 'linear']];
  fcs.forEach(([name, units, activation], i) => {
    const index = i + 2;
    if (apb !== null && apbLayers.includes(name)) {
      model.add(denseApb({ name, units, activation, apb, ...update, seed: seed + 10 * index }));
    } else {
      model.add(tfl.layers.dense({ name, units, activation, kernelInitializer: init(index) }));
    }
  });
  return model;
}
