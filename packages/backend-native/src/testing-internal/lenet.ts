// The paper's LeNet built from plain tfjs-layers, for the training and memory tests.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** conv 6@5x5 relu, maxpool 2, conv 16@5x5 relu, maxpool 2, fc120 relu, fc84 relu, fc10 (logits). */
export function lenet(seed: number): tfl.Sequential {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: init(0) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.dense({ units: 10, kernelInitializer: init(4) }),
    ],
  });
}

/**
 * Trains a fresh LeNet with Adam on a fixed tiny synthetic batch on the active backend and
 * returns the loss of every step.
 */
export function trainLenet(options: { steps: number; batch: number; seed: number; learningRate?: number }): number[] {
  const { steps, batch, seed } = options;
  const model = lenet(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed);
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', seed + 1), 10));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.apply(x, { training: true }) as tf.Tensor), true);
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return losses;
}
