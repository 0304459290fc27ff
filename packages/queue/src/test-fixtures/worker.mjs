// A queue worker in a process of its own, so a test can SIGKILL it: node worker.mjs '<options JSON>'.
// Prints "ready" once it listens, then one line per event.
import { startQueueWorker } from '../../dist/index.js';

const options = JSON.parse(process.argv[2]);
const worker = await startQueueWorker({
  ...options,
  log: (line) => process.stdout.write(`${line}\n`),
  onProgress: (id, event) => event.type === 'epoch' && process.stdout.write(`epoch ${id} ${event.entry.epoch}\n`),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
