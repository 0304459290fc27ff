// Child process of runReproduction (jobs > 1): runs one spec per message, each in this process,
// where trainRun calls initBackend itself. Not part of the public API.
import { executeSpec } from './execute-spec.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

if (process.send === undefined) {
  process.stderr.write('worker.js is started by runReproduction (jobs > 1); it is not a command.\n');
  process.exit(1);
}

let controller = new AbortController();
const send = (reply: WorkerReply) => process.send?.(reply);

// Ctrl-C reaches the whole process group: stop between batches and report `interrupted`.
process.on('SIGINT', () => controller.abort());

process.on('message', (request: WorkerRequest) => {
  if (request.type === 'abort') {
    controller.abort();
    return;
  }
  controller = new AbortController();
  const { spec, outDir } = request;
  executeSpec(spec, outDir, { signal: controller.signal, onProgress: (event) => send({ type: 'progress', id: spec.id, event }) }).then(
    (record) => send({ type: 'done', id: spec.id, status: record.status }),
    (error: unknown) =>
      send({
        type: 'done',
        id: spec.id,
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
        ...(typeof (error as { code?: unknown })?.code === 'string' ? { code: (error as { code: string }).code } : {}),
      }),
  );
});

process.on('disconnect', () => process.exit(0));
