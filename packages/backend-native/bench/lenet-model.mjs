// The classical LeNet the bench scripts time (the layers of @apb/layers' lenet() without its APB,
// since this package sits below @apb/layers): glorot-uniform kernels, all drawn with one seed.
import * as tfl from '@tensorflow/tfjs-layers';

/** A seeded LeNet on 28x28x1 inputs with 10 logits. */
export function benchLenet(seed = 1) {
  const init = () => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.dense({ units: 10, kernelInitializer: init() }),
    ],
  });
}
