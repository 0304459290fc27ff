import { afterEach, describe, expect, it } from 'vitest';

import { isInteractive, percent, processOutput } from './output.js';
import { createProgress } from './progress.js';

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;
const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

describe('isInteractive', () => {
  it('is true only for a terminal without NO_COLOR', () => {
    delete process.env.NO_COLOR;
    expect(isInteractive(tty)).toBe(true);
    expect(isInteractive(pipe)).toBe(false);
    process.env.NO_COLOR = '1';
    expect(isInteractive(tty)).toBe(false);
  });

  it('is off for --json even on a terminal', () => {
    expect(processOutput({ json: true }).interactive).toBe(false);
  });
});

describe('createProgress', () => {
  it('draws nothing when the output is not interactive', () => {
    const lines: string[] = [];
    const output = { log: (l: string) => lines.push(l), info: (l: string) => lines.push(l), interactive: false };
    const bar = createProgress(output, 'train', 10);
    bar.update(5, 'half');
    bar.stop();
    expect(lines).toEqual([]);
  });
});

describe('percent', () => {
  it('formats fractions with two decimals and marks missing values', () => {
    expect([0.98876, 0, null, Number.NaN].map(percent)).toEqual(['98.88%', '0.00%', '–', '–']);
  });
});
