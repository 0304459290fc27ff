import { describe, expect, it } from 'vitest';

import { measure, median } from './measure.js';

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
