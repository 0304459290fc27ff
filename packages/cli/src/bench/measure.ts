/** How long to measure: warm-up steps (not timed), then `windows` windows of at least `windowSeconds`. */
export interface MeasureOptions {
  warmupSteps: number;
  windows: number;
  windowSeconds: number;
  /** Images one step processes, to turn steps/s into images/s. */
  imagesPerStep: number;
}

/** Rates of each timed window and their median. */
export interface Measurement {
  imagesPerSecond: number;
  windowRates: number[];
  steps: number;
  seconds: number;
  /**
   * Images per second of this process's CPU time over all windows. On a busy machine it estimates
   * what a single-threaded backend would do on an idle core, where the wall-clock figure cannot.
   */
  cpuImagesPerSecond: number;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Times a synchronous step: warm-up first (kernel setup, weight packing and the first allocation
 * are one-off costs), then whole steps until each window has lasted `windowSeconds`. The median
 * window is reported, which shrugs off a window disturbed by other processes.
 */
export function measure(step: () => void, options: MeasureOptions): Measurement {
  for (let i = 0; i < options.warmupSteps; i++) step();
  const windowRates: number[] = [];
  let steps = 0;
  let seconds = 0;
  const cpuStart = process.cpuUsage();
  for (let w = 0; w < options.windows; w++) {
    const start = process.hrtime.bigint();
    let windowSteps = 0;
    let elapsed: number;
    do {
      step();
      windowSteps++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < options.windowSeconds);
    windowRates.push((windowSteps * options.imagesPerStep) / elapsed);
    steps += windowSteps;
    seconds += elapsed;
  }
  return summarise(windowRates, steps, seconds, process.cpuUsage(cpuStart), options.imagesPerStep);
}

/**
 * {@link measure} for a step that returns a promise (`model.fit`, `model.trainOnBatch`): the same
 * warm-up, windows and median, each step awaited before the next starts.
 */
export async function measureAsync(step: () => Promise<unknown>, options: MeasureOptions): Promise<Measurement> {
  for (let i = 0; i < options.warmupSteps; i++) await step();
  const windowRates: number[] = [];
  let steps = 0;
  let seconds = 0;
  const cpuStart = process.cpuUsage();
  for (let w = 0; w < options.windows; w++) {
    const start = process.hrtime.bigint();
    let windowSteps = 0;
    let elapsed: number;
    do {
      await step();
      windowSteps++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < options.windowSeconds);
    windowRates.push((windowSteps * options.imagesPerStep) / elapsed);
    steps += windowSteps;
    seconds += elapsed;
  }
  return summarise(windowRates, steps, seconds, process.cpuUsage(cpuStart), options.imagesPerStep);
}

function summarise(windowRates: number[], steps: number, seconds: number, cpu: NodeJS.CpuUsage, imagesPerStep: number): Measurement {
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { imagesPerSecond: median(windowRates), windowRates, steps, seconds, cpuImagesPerSecond: (steps * imagesPerStep) / cpuSeconds };
}

/** Options of {@link measurePairedRatio}. */
export interface PairedRatioOptions {
  pairs: number;
  windowSeconds: number;
  /** Steps of each side run untimed before the first pair. */
  warmupSteps: number;
}

/** The throughput ratio of two steps from adjacent windows. */
export interface PairedRatio {
  /** Median over the pairs of (A's steps/s) / (B's steps/s). */
  ratio: number;
  /** Every pair's ratio, in order. */
  pairRatios: number[];
  /** The pairs' 25th and 75th percentile ratios. */
  quartiles: [number, number];
}

/**
 * Throughput of `a` relative to `b`, from short windows of each taken back to back, A first in even
 * pairs and B first in odd ones. A target on a ratio needs this on a shared machine: its speed
 * drifts by a third over seconds (seen here), so separately taken medians of A and B can differ by
 * more than the effect measured, while two adjacent windows see nearly the same machine.
 */
export function measurePairedRatio(a: () => void, b: () => void, options: PairedRatioOptions): PairedRatio {
  for (let i = 0; i < options.warmupSteps; i++) {
    a();
    b();
  }
  const window = (step: () => void) => measure(step, { warmupSteps: 0, windows: 1, windowSeconds: options.windowSeconds, imagesPerStep: 1 }).imagesPerSecond;
  const pairRatios: number[] = [];
  for (let p = 0; p < options.pairs; p++) {
    if (p % 2 === 0) {
      const rateA = window(a);
      pairRatios.push(rateA / window(b));
    } else {
      const rateB = window(b);
      pairRatios.push(window(a) / rateB);
    }
  }
  const sorted = [...pairRatios].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { ratio: median(pairRatios), pairRatios, quartiles: [at(0.25), at(0.75)] };
}
