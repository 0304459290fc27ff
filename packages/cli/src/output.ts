import pc from 'picocolors';

/** Where a command writes: injectable so tests can capture output without touching the process. */
export interface Output {
  /** A line for the user (stdout). */
  log: (line: string) => void;
  /** A diagnostic line (stderr): progress fallbacks, warnings. */
  info: (line: string) => void;
  /** True when progress bars and colour may be drawn. */
  interactive: boolean;
}

/**
 * True when bars and colour are welcome: stdout is a terminal and `NO_COLOR` is unset.
 * `--json` turns them off separately, because JSON on a TTY must stay parseable.
 */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return Boolean(stream.isTTY) && !noColor;
}

/** The process's own output, honouring `NO_COLOR` and non-TTY stdout. */
export function processOutput(options: { json?: boolean } = {}): Output {
  return {
    log: (line) => process.stdout.write(`${line}\n`),
    info: (line) => process.stderr.write(`${line}\n`),
    interactive: isInteractive() && options.json !== true,
  };
}

/** An output that discards everything; the default for `runX()` called from code. */
export const silentOutput: Output = { log: () => undefined, info: () => undefined, interactive: false };

/** Colours that switch themselves off together with progress bars. */
export function colors(interactive: boolean): Pick<typeof pc, 'bold' | 'red' | 'green' | 'yellow' | 'dim' | 'cyan'> {
  const c = pc.createColors(interactive);
  return { bold: c.bold, red: c.red, green: c.green, yellow: c.yellow, dim: c.dim, cyan: c.cyan };
}

/** Formats a fraction in [0, 1] as a percentage with two decimals, or `–` when absent. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(2)}%`;
}
