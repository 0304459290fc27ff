// Wall time of one queued reproduction through 1, then 2 workers on this machine, as JSON (build the
// package first). Each worker runs one run at a time with one thread, on a private redis-server.
// Usage: node scripts/bench-workers.mjs [runs=4] [trainLimit=1000] [epochs=2] [dataDir=$APB_DATA_DIR]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTrainConfig, runIdFor } from '@apb/scenarios';
import { runQueuedReproduction, startQueueWorker } from '../dist/index.js';
import { startTestRedis } from '../dist/testing/index.js';

const [runs = '4', trainLimit = '1000', epochs = '2', dataDir = process.env.APB_DATA_DIR] = process.argv.slice(2);
const specs = Array.from({ length: Number(runs) }, (_, index) => {
  const config = resolveTrainConfig({
    dataset: 'mnist',
    ...(dataDir === undefined ? {} : { dataDir }),
    backend: 'wasm',
    seed: index + 1,
    epochs: Number(epochs),
    trainLimit: Number(trainLimit),
    testLimit: 500,
    evaluation: { attacks: ['fgsm'], eps: [0.3], diagnostics: false },
  });
  return { id: runIdFor(config), kind: 'train', config, dependsOn: [], roles: ['bench'] };
});
const redis = await startTestRedis();
const root = await mkdtemp(join(tmpdir(), 'apb-bench-workers-'));
const results = [];
try {
  for (const count of [1, 2]) {
    const queueName = `bench-${count}`;
    const workers = await Promise.all(Array.from({ length: count }, (_, index) => startQueueWorker({ url: redis.url, queueName, threads: 1, name: `w${index + 1}` })));
    const started = performance.now();
    const summary = await runQueuedReproduction({ url: redis.url, queueName, outDir: join(root, queueName), specs, pollMs: 200 });
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(workers.map((worker) => worker.close()));
    if (summary.runs.some((run) => run.outcome !== 'complete')) throw new Error(`runs did not complete: ${JSON.stringify(summary.runs)}`);
    results.push({ workers: count, seconds: Number(seconds.toFixed(1)) });
    process.stderr.write(`${count} worker(s): ${seconds.toFixed(1)} s\n`);
  }
} finally {
  await redis.stop();
  await rm(root, { recursive: true, force: true });
}
const record = {
  bench: 'queue-workers',
  date: new Date().toISOString(),
  cores: availableParallelism(),
  loadAverageAtEnd: loadavg()[0],
  runs: specs.length,
  run: { dataset: 'mnist', trainLimit: Number(trainLimit), epochs: Number(epochs), backend: 'wasm', threadsPerRun: 1 },
  results,
  speedup: Number((results[0].seconds / results[1].seconds).toFixed(2)),
};
process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
