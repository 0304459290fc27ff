import { describe, expect, it } from 'vitest';
import { interruptSignal } from './interrupt-signal.js';

describe('interruptSignal', () => {
  it('aborts on SIGINT and removes its handlers when disposed', async () => {
    const before = process.listenerCount('SIGINT');
    const interrupt = interruptSignal();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.kill(process.pid, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(interrupt.signal.aborted).toBe(true);
    interrupt.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
