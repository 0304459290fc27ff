// Checks that evaluateRobustness handles the full 10,000-image MNIST test set comfortably: FGSM and
// noise at eps 0.3 plus the diagnostics, batch 500, on an untrained seeded LeNet (the cost does not
// depend on the weights). Prints the peak resident memory seen at progress callbacks and the
// tensors left afterwards (the model's own weights only). Run from packages/attacks:
//   pnpm tsc -p examples/tsconfig.json && APB_DATA_DIR=/work/shared/datasets node examples/dist/full-test-set.js
import { evaluateRobustness, LinfFgsm, RandomNoise } from '@apb/attacks';
import { initBackend } from '@apb/backend';
import { loadDataset, toFloat32 } from '@apb/datasets';
import { lenet } from '@apb/layers';
import * as tf from '@tensorflow/tfjs-core';

async function main(): Promise<void> {
  await initBackend({ backend: 'wasm' });
  const test = await loadDataset('mnist', 'test');
  const model = lenet({ seed: 1 });
  const modelTensors = tf.memory().numTensors;
  let peak = process.memoryUsage().rss;
  const started = performance.now();
  const evaluation = await evaluateRobustness(
    model,
    { images: toFloat32(test.images), labels: test.labels },
    [new LinfFgsm(), new RandomNoise()],
    { epsilons: [0.3], batchSize: 500, onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) },
  );
  console.log(
    JSON.stringify({
      n: evaluation.n,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      peakRssMiB: Math.round(peak / 2 ** 20),
      tensorsLeftBeyondModel: tf.memory().numTensors - modelTensors,
    }),
  );
  model.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
