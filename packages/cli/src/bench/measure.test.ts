import { describe, expect, it } from 'vitest';

import { measure, measureAsync, measurePairedRatio, median } from './measure.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('measure', () => {
  it('runs the warm-up steps untimed, then whole steps per window, and turns steps into images/s', () => {
    let calls = 0;
    const m = measure(() => void calls++, { warmupSteps: 2, windows: 3, windowSeconds: 0, imagesPerStep: 128 });
    // windowSeconds 0: exactly one timed step per window.
    expect(calls).toBe(5);
    expect(m.steps).toBe(3);
    expect(m.windowRates).toHaveLength(3);
    expect(m.imagesPerSecond).toBe(median(m.windowRates));
    expect(m.imagesPerSecond).toBeGreaterThan(0);
  });
});

describe('measureAsync', () => {
  it('awaits every step before the next, warm-up untimed, one step per window at windowSeconds 0', async () => {
    let running = 0;
    let overlapped = false;
    let calls = 0;
    const step = async () => {
      overlapped ||= running > 0;
      running++;
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1));
      // A 1 ms timer can fire a little early by performance.now() (the event loop's clock is
      // cached), which once let a window exceed the bound below; wait out the rest of the 1 ms.
      while (performance.now() - start < 1) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      running--;
      calls++;
    };
    const m = await measureAsync(step, { warmupSteps: 1, windows: 2, windowSeconds: 0, imagesPerStep: 256 });
    expect(overlapped).toBe(false);
    expect(calls).toBe(3);
    expect(m.steps).toBe(2);
    expect(m.imagesPerSecond).toBe(median(m.windowRates));
    // Each step sleeps at least 1 ms, so no window can exceed 256 images per ms.
    expect(Math.max(...m.windowRates)).toBeLessThanOrEqual(256_000);
  });
});

describe('measurePairedRatio', () => {
  /** A step that takes `ms` by the clock. */
  const busy = (ms: number) => () => {
    const start = performance.now();
    while (performance.now() - start < ms);
  };

  it('gives the throughput of A over B from adjacent windows, alternating which goes first', () => {
    const order: string[] = [];
    const a = busy(1);
    const b = busy(2);
    const result = measurePairedRatio(() => { order.push('a'); a(); }, () => { order.push('b'); b(); }, { pairs: 6, windowSeconds: 0.01, warmupSteps: 1 });
    expect(result.pairRatios).toHaveLength(6);
    // A step of 1 ms runs twice as often as one of 2 ms.
    expect(result.ratio).toBeGreaterThan(1.6);
    expect(result.ratio).toBeLessThan(2.4);
    expect(result.quartiles[0]).toBeLessThanOrEqual(result.ratio);
    expect(result.quartiles[1]).toBeGreaterThanOrEqual(result.ratio);
    // After the warm-up pair, windows a b | b a | a b | ...: runs of one step collapse to
    // a b a b a b a (7) for 6 alternating pairs, where a fixed order would leave 12.
    const runs = order.slice(2).filter((step, i, all) => i === 0 || all[i - 1] !== step);
    expect(runs).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a']);
  });
});
