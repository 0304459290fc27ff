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
