import { ApbError } from '@apb/core';
import { lenet, type ApbSpec, type ApbUpdateOptions } from '@apb/layers';
import type * as tfl from '@tensorflow/tfjs-layers';

/** What a registered model is built from: the APB kind of a run (or none) and its seed. */
export interface ModelBuildOptions extends ApbUpdateOptions {
  /** The APB that replaces the biases of the model's fully connected layers; null: a classical model. */
  apb: ApbSpec | null;
  /** Seed of every initializer, so equal seeds give equal models. */
  seed: number;
}

/** One architecture `apb train --model NAME` can build. */
export interface ModelDefinition {
  /** Lowercase name, the value of `--model` (`lenet`). */
  name: string;
  /** One line for humans, e.g. in error messages. */
  description: string;
  /**
   * Builds the model with fresh, seeded weights. It takes images `[n, rows, cols, channels]` in
   * [0, 1] and outputs logits (softmax belongs to the loss). With `options.apb`, its fully connected
   * layers should be `@apb/layers`' `denseApb` layers, so training moves the APB and folding works.
   */
  build(options: ModelBuildOptions): tfl.LayersModel;
  /** Whether `build` honours an APB (default true); runs of a model without one refuse `--apb`. */
  supportsApb?: boolean;
}

/**
 * The stored spelling of LeNet with an APB. Runs recorded before the registry keep it in their
 * `run.json` (and their ids), so the new spelling `--model lenet --apb naive` is normalised to it.
 */
export const LEGACY_APB_MODEL = 'lenet-apb';

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const models = new Map<string, ModelDefinition>();

/**
 * Adds an architecture to the registry, so configurations (and `apb train --model`) can name it.
 * Throws an `ApbError` (code `INVALID_OPTION`) when the name is malformed or already taken.
 */
export function registerModel(definition: ModelDefinition): void {
  const name = definition.name;
  if (!NAME.test(name) || name === LEGACY_APB_MODEL) {
    throw new ApbError(`registerModel: "${name}" is not a usable model name.`, {
      code: 'INVALID_OPTION',
      suggestion: `Use lowercase letters, digits and - (and not "${LEGACY_APB_MODEL}", the stored name of LeNet with an APB).`,
    });
  }
  if (models.has(name)) {
    throw new ApbError(`registerModel: a model named "${name}" is already registered.`, {
      code: 'INVALID_OPTION',
      suggestion: 'Pick another name, or unregister the existing one first.',
    });
  }
  models.set(name, { ...definition });
}

/** Removes an architecture registered with {@link registerModel}; the built-in LeNet stays. Returns whether it was there. */
export function unregisterModel(name: string): boolean {
  if (name === 'lenet') return false;
  return models.delete(name);
}

/** The definition registered under `name`, or undefined. */
export function modelDefinition(name: string): ModelDefinition | undefined {
  return models.get(name);
}

/** Names of every registered architecture, built-in first. */
export function registeredModelNames(): string[] {
  return [...models.keys()];
}

/**
 * The architecture a configuration's `model` names: `lenet-apb` (the stored spelling of LeNet with
 * an APB) is `lenet`, every other name is itself.
 */
export function modelArchitecture(model: string): string {
  return model === LEGACY_APB_MODEL ? 'lenet' : model;
}

registerModel({
  name: 'lenet',
  description: "the paper's LeNet-5 (28x28x1 inputs, 10 classes)",
  build: (options) => lenet(options),
});
