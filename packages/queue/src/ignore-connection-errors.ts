/**
 * BullMQ's Queue, Worker and QueueEvents re-emit their Redis connection's errors as `error` events,
 * and an `error` event nobody listens to ends the Node process. The connection reconnects by itself,
 * and a call that needs it fails on its own, so these errors are reported (`log`) or dropped, never fatal.
 */
export function ignoreConnectionErrors<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: T, log?: (line: string) => void): T {
  emitter.on('error', (error) => log?.(`redis: ${error.message}`));
  return emitter;
}
