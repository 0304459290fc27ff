// A child process of the two-process benchmark: trains LeNet (clean steps) on one backend and
// reports images/s. It warms up, says `ready`, and starts timing only when the parent says `go`,
// so that the timed windows of simultaneous workers overlap.
import { createInterface } from 'node:readline';

import { initBackend, type BackendChoice } from '@apb/backend';

import { BATCH_SIZE, lenetWorkload } from './lenet-workload.js';
import { measure } from './measure.js';
import { WORKER_READY, WORKER_RESULT, type WorkerOptions } from './worker-protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
const info = await initBackend({ backend: options.backend as BackendChoice, ...(options.threads === undefined ? {} : { threads: options.threads }) });
const workload = lenetWorkload(options.seed);
for (let i = 0; i < options.warmupSteps; i++) workload.cleanStep();

const lines = createInterface({ input: process.stdin });
process.stdout.write(`${WORKER_READY}\n`);
for await (const line of lines) {
  if (line.trim() === 'go') break;
}
lines.close();

const measurement = measure(() => workload.cleanStep(), {
  warmupSteps: 0,
  windows: options.windows,
  windowSeconds: options.windowSeconds,
  imagesPerStep: BATCH_SIZE,
});
workload.dispose();
// Threaded wasm keeps worker threads alive; leave once the report is flushed.
process.stdout.write(`${WORKER_RESULT}${JSON.stringify({ backend: info, measurement })}\n`, () => process.exit(0));
