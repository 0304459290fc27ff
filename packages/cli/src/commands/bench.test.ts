import { describe, expect, it } from 'vitest';

import { handleError } from '../handle-error.js';
import { ourLines, runBin } from '../testing-internal/run-bin.js';
import { runBenchCommand } from './bench.js';

describe('apb bench', () => {
  it('passes --suite through to the harness, which rejects an unknown suite in one line', async () => {
    const error = await runBenchCommand({ suite: 'no-such-suite' }).catch((e: unknown) => e);
    const lines: string[] = [];
    expect(handleError(error, { write: (line) => lines.push(line) })).toBe(1);
    expect(lines[0]).toBe("apb: Unknown bench suite 'no-such-suite'.");
    const binary = await runBin(['bench', '--suite', 'no-such-suite']);
    expect(binary.code).toBe(1);
    expect(ourLines(binary.stderr)[0]).toBe("apb: Unknown bench suite 'no-such-suite'.");
  });

  it('rejects an empty --backend list with the flag named', async () => {
    const error = await runBenchCommand({ backend: ' , ' }).catch((e: unknown) => e);
    const lines: string[] = [];
    handleError(error, { write: (line) => lines.push(line) });
    expect(lines[0]).toMatch(/^apb: --backend: needs at least one name/);
  });
});
