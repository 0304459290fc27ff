// How a training configuration becomes an @apb/layers LeNet.
import { foldApb, lenet, type LenetOptions } from '@apb/layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainConfig } from '../train-config.js';

/** The model part of a training configuration. */
export type ModelConfig = Pick<TrainConfig, 'model' | 'apb' | 'memories' | 'apbEps' | 'apbDirection' | 'apbMode' | 'apbClip' | 'apbMemoryStep'>;

/** The `lenet` options a configuration asks for, seeded. */
export function lenetOptionsFor(config: ModelConfig, seed: number): LenetOptions {
  if (config.model === 'lenet') return { apb: null, seed };
  return {
    apb: config.apb === 'multimodal' ? { kind: 'multimodal', memories: config.memories } : { kind: 'naive' },
    eps: config.apbEps,
    direction: config.apbDirection,
    mode: config.apbMode,
    // null leaves the layer's default bound (1/h on m for the budgeted multimodal step).
    clip: config.apbClip ?? undefined,
    memoryStep: config.apbMemoryStep,
    seed,
  };
}

/** Builds the LeNet of a configuration (classical or APB) with seeded initial weights. */
export function buildLenet(config: ModelConfig, seed: number): tfl.LayersModel {
  return lenet(lenetOptionsFor(config, seed));
}

/** The model with plain tfjs layers only (APB folded into ordinary biases); undefined for a classical LeNet. */
export function foldModel(model: tfl.LayersModel, config: ModelConfig): tfl.LayersModel | undefined {
  return config.model === 'lenet' ? undefined : foldApb(model);
}
