/** One measured figure. `unit` is e.g. `images/s`, `s`, `ratio`. */
export interface BenchResult {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Anything needed to read the figure: backend, batch size, threads, target, … */
  details?: Record<string, unknown>;
}

export interface BenchContext {
  /** Shortens every measurement (CI smoke runs of the bench). */
  quick: boolean;
  /** Backends the user asked for (`--backend`), default: every one available. */
  backends: string[];
  log: (line: string) => void;
  /** `--compare-pytorch`: true to measure PyTorch here, or a file of earlier PyTorch figures. */
  comparePytorch?: boolean | string;
}

/** A group of benchmarks owned by one package's concerns; registered in `suites.ts`. */
export interface BenchSuite {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}
