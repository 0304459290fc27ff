import cliProgress from 'cli-progress';

import type { Output } from './output.js';

/** A progress indicator for one long loop. */
export interface Progress {
  /** Moves the bar to `value` (of `total`), with a short status text. */
  update(value: number, status?: string): void;
  /** Changes the total, e.g. when the number of batches becomes known. */
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A `cli-progress` bar when the output is interactive; otherwise nothing, so logs piped to a file
 * or parsed as JSON stay clean.
 */
export function createProgress(output: Output, label: string, total: number): Progress {
  if (!output.interactive) {
    return { update: () => undefined, setTotal: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {status}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, total), 0, { status: '' });
  return {
    update: (value, status = '') => bar.update(value, { status }),
    setTotal: (newTotal) => bar.setTotal(Math.max(1, newTotal)),
    stop: () => bar.stop(),
  };
}
