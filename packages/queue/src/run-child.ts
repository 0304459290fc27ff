// The child process a queue worker forks for each run, so CPU-bound training never blocks the
// worker's lock renewal with Redis. Not part of the public API.
import { isApbError } from '@apb/core';
import { executeSpec, type TrainProgress } from '@apb/scenarios';
import type { ChildReply, ChildRequest } from './child-protocol.js';

if (process.send === undefined) {
  process.stderr.write('run-child.js is started by `apb worker`; it is not a command.\n');
  process.exit(1);
}

const controller = new AbortController();
const send = (reply: ChildReply) =>
  new Promise<void>((resolve) => {
    if (process.connected) process.send?.(reply, undefined, {}, () => resolve());
    else resolve();
  });

// The worker's stop (SIGTERM, Ctrl-C) reaches the whole process group: stop between batches.
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
// A worker that died (even by SIGKILL) disconnects us: stop between batches, so run.json says
// interrupted and the run lease is released for the worker that takes the job over.
process.on('disconnect', () => {
  controller.abort();
  setTimeout(() => process.exit(0), 120_000).unref();
});

process.once('message', (request: ChildRequest) => {
  if (request.type !== 'run') return;
  process.on('message', (next: ChildRequest) => {
    if (next.type === 'abort') controller.abort();
  });
  // Epoch ends and phases are enough for progress; batch events would flood Redis.
  const onProgress = (event: TrainProgress) => {
    if (event.type !== 'batch') void send({ type: 'progress', event });
  };
  void executeSpec(request.spec, request.outDir, { signal: controller.signal, onProgress })
    .then(
      (record): ChildReply => ({ type: 'done', status: record.status, ...(record.error === undefined ? {} : { error: record.error }) }),
      (error: unknown): ChildReply => ({
        type: 'done',
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
        ...(isApbError(error) ? { code: error.code } : {}),
      }),
    )
    .then(send)
    // One run per process: TensorFlow.js state and memory go with it.
    .finally(() => process.exit(0));
});
