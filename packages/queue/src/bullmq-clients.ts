import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { RunJobData, RunJobResult } from './job-data.js';

/**
 * BullMQ's Queue, Worker and QueueEvents re-emit their Redis connection's errors as `error` events,
 * and an `error` event nobody listens to ends the Node process. The connection reconnects by itself,
 * and a call that needs it fails on its own, so these errors are reported (`log`) or dropped, never fatal.
 */
export function ignoreConnectionErrors<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: T, log?: (line: string) => void): T {
  emitter.on('error', (error) => log?.(`redis: ${error.message}`));
  return emitter;
}

/**
 * Waits until the client's connection has finished connecting. BullMQ (5.81) crashes the process
 * when a client is closed while its connection is still asking Redis for its version: close()
 * removes every listener, then the interrupted handshake emits `error` on the bare connection.
 * A client that is ready before anyone can close it never hits that.
 */
async function ready<T extends { waitUntilReady(): Promise<unknown>; close(): Promise<void> }>(client: T): Promise<T> {
  try {
    await client.waitUntilReady();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return client;
}

/** A run queue, connected, whose connection errors go to `log`. */
export function openQueue(name: string, connection: ConnectionOptions, log?: (line: string) => void): Promise<Queue<RunJobData, RunJobResult>> {
  return ready(ignoreConnectionErrors(new Queue<RunJobData, RunJobResult>(name, { connection }), log));
}

/** The run queue's event stream, connected, whose connection errors go to `log`. */
export function openQueueEvents(name: string, connection: ConnectionOptions, log?: (line: string) => void): Promise<QueueEvents> {
  return ready(ignoreConnectionErrors(new QueueEvents(name, { connection }), log));
}
