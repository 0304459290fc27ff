import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ApbError } from '@apb/core';
import { DenseApb } from './dense-apb.js';

interface LayerEntry {
  className: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

function isApbEntry(entry: LayerEntry): boolean {
  return entry.className === DenseApb.className || entry.className === `apb>${DenseApb.className}`;
}

/** The config of a plain Dense layer computing what a DenseApb config computes. */
function denseConfig(apbConfig: Record<string, unknown>): Record<string, unknown> {
  const dense: Record<string, unknown> = {
    name: apbConfig.name,
    trainable: apbConfig.trainable,
    units: apbConfig.units,
    activation: apbConfig.activation,
    useBias: true,
    kernelInitializer: apbConfig.kernelInitializer,
    biasInitializer: { className: 'Zeros', config: {} },
  };
  for (const key of ['batchInputShape', 'dtype']) {
    if (apbConfig[key] !== undefined) {
      dense[key] = apbConfig[key];
    }
  }
  return dense;
}

/**
 * Returns an equivalent model made of standard tfjs layers only: every `DenseApb` becomes a
 * `Dense` whose bias is the layer's current `delta` (naive) or `m W_ap` (multimodal), so `m` and
 * `W_ap` are gone (paper Alg. 2, "after the training"). The result loads with plain
 * `tf.loadLayersModel` and no import of this package. The input model is left unchanged.
 */
export function foldApb(model: tfl.LayersModel): tfl.LayersModel {
  const isSequential = model instanceof tfl.Sequential;
  const config = model.getConfig() as unknown as { layers: LayerEntry[] } & Record<string, unknown>;
  if (!Array.isArray(config.layers)) {
    throw new ApbError(`foldApb: model '${model.name}' has no layer list in its config`, { code: 'INVALID_MODEL', suggestion: 'Pass a tf.Sequential or a functional tf.LayersModel.' });
  }
  const layers = config.layers.map((entry) => (isApbEntry(entry) ? { ...entry, className: 'Dense', config: denseConfig(entry.config) } : entry));
  const rebuilt = isSequential
    ? tfl.Sequential.fromConfig(tfl.Sequential, { ...config, layers } as unknown as tf.serialization.ConfigDict)
    : tfl.LayersModel.fromConfig(tfl.LayersModel, { ...config, layers } as unknown as tf.serialization.ConfigDict);
  for (const layer of (rebuilt as unknown as tfl.LayersModel).layers) {
    const source = model.getLayer(layer.name);
    if (source instanceof DenseApb) {
      const [kernel] = source.getWeights(true);
      const bias = source.currentDelta();
      if (kernel === undefined) {
        throw new ApbError(`foldApb: layer '${source.name}' has no kernel`, { code: 'INVALID_MODEL', suggestion: 'Build the model (call it once) before folding.' });
      }
      layer.setWeights([kernel, bias]);
      bias.dispose();
    } else {
      layer.setWeights(source.getWeights());
    }
  }
  return rebuilt as unknown as tfl.LayersModel;
}
