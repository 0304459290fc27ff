import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { WORKER_READY, WORKER_RESULT, type WorkerOptions, type WorkerReport } from './worker-protocol.js';

/** The compiled worker; under Vitest (TypeScript sources) it exists only after a CLI build. */
export function workerScript(): string {
  return fileURLToPath(new URL('./bench-worker.js', import.meta.url));
}

interface RunningWorker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
}

function start(script: string, options: WorkerOptions): RunningWorker {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  // Writing 'go' to a worker that already died must not crash the parent.
  child.stdin.on('error', () => undefined);
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes(WORKER_READY)) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const report = new Promise<WorkerReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(WORKER_RESULT));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice(WORKER_RESULT.length)) as WorkerReport);
      else reject(new Error(`bench worker exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  // A worker that dies while warming up must not leave the others waiting for it.
  void report.catch(() => markReady());
  return { child, ready, report };
}

/**
 * Runs `count` independent worker processes at once, each training LeNet on its own, and returns
 * each one's report. All warm up first; timing starts in all of them together.
 */
export async function runParallelWorkers(count: number, options: WorkerOptions): Promise<WorkerReport[]> {
  const script = workerScript();
  if (!existsSync(script)) {
    throw new Error(`the bench worker ${script} is missing: build the CLI first (pnpm --filter @apb/cli build)`);
  }
  const workers = Array.from({ length: count }, (_, i) => start(script, { ...options, seed: options.seed + i }));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin.end('go\n');
  return Promise.all(workers.map((worker) => worker.report));
}
