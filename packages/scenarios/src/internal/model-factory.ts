// How a training configuration becomes a model of the registry.
import { ApbError } from '@apb/core';
import { foldApb } from '@apb/layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelArchitecture, modelDefinition, type ModelBuildOptions } from '../model-registry.js';
import type { TrainConfig } from '../train-config.js';

/** The model part of a training configuration. */
export type ModelConfig = Pick<TrainConfig, 'model' | 'apb' | 'memories' | 'apbEps' | 'apbDirection' | 'apbMode' | 'apbClip' | 'apbMemoryStep'>;

/** The build options a configuration asks for, seeded. */
export function modelOptionsFor(config: ModelConfig, seed: number): ModelBuildOptions {
  if (config.apb === null) return { apb: null, seed };
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

/** Builds the registered model of a configuration (classical or APB) with seeded initial weights. */
export function buildModel(config: ModelConfig, seed: number): tfl.LayersModel {
  const architecture = modelArchitecture(config.model);
  const definition = modelDefinition(architecture);
  if (definition === undefined) {
    throw new ApbError(`No model named "${architecture}" is registered.`, {
      code: 'BAD_CONFIG',
      suggestion: 'Register it with registerModel() from @apb/scenarios before training or reading its runs.',
    });
  }
  return definition.build(modelOptionsFor(config, seed));
}

/** The model with plain tfjs layers only (APB folded into ordinary biases); undefined for a classical model. */
export function foldModel(model: tfl.LayersModel, config: ModelConfig): tfl.LayersModel | undefined {
  return config.apb === null ? undefined : foldApb(model);
}
