import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI; turbo's `test` task depends on `build`, so it exists when tests run. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What one run of the binary printed and returned. */
export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin.js ...args` with NO_COLOR, collecting its output. */
export function runBin(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<BinResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the cli first (pnpm --filter @apb/cli build)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * The banner tfjs itself prints to stderr the first time the cpu backend runs in Node (an
 * advertisement for tfjs-node); not ours to test.
 */
const TFJS_NOISE = /^(=+|Hi, looks like you are running TensorFlow\.js in Node\.js.*)$/;

/** stderr without Node's warnings, tfjs' banners and progress lines (`name: phase`). */
export function ourLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\(node:\d+\)|--trace-warnings|^\s*at /.test(line) && !TFJS_NOISE.test(line.trim()))
    .filter((line) => line.startsWith('apb:') || line.startsWith('  suggestion:') || !/^[\w.-]+( \([a-z]+ source\))?: /.test(line));
}
