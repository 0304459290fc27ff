import { ApbError } from '@apb/core';
import type { ConnectionOptions } from 'bullmq';
import { connect } from 'node:net';

/** The BullMQ queue every `apb` coordinator and worker of one Redis database share. */
export const DEFAULT_QUEUE_NAME = 'apb-runs';

/**
 * Redis connection options from a `redis://[user:password@]HOST:PORT[/DB]` URL (`rediss://` for
 * TLS). A malformed URL is an `ApbError` `BAD_QUEUE_URL` naming the flag.
 */
export function parseQueueUrl(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'it is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw badUrl(url, `the scheme is ${parsed.protocol.replace(/:$/, '')}, not redis`);
  if (parsed.hostname === '') throw badUrl(url, 'it names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw badUrl(url, `the database "${path}" is not a whole number`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; a retry limit per request would fail them in a long wait.
    maxRetriesPerRequest: null,
  };
}

function badUrl(url: string, why: string): ApbError {
  return new ApbError(`--queue ${url} is not a Redis URL: ${why}.`, {
    code: 'BAD_QUEUE_URL',
    suggestion: 'Pass --queue redis://HOST:PORT or redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379.',
  });
}

/**
 * Fails fast with an `ApbError` `QUEUE_UNREACHABLE` when nothing accepts connections at the URL's
 * host and port (BullMQ would otherwise retry silently forever).
 */
export async function assertQueueReachable(url: string, timeoutMs = 5000): Promise<void> {
  const { host, port } = parseQueueUrl(url) as { host: string; port: number };
  const reason = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer in ${timeoutMs / 1000} s`);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? error.message);
    });
  });
  if (reason !== undefined) {
    throw new ApbError(`Cannot reach the Redis of --queue ${url} (${reason}).`, {
      code: 'QUEUE_UNREACHABLE',
      suggestion: `Start it (redis-server --port ${port}) or check the host, port and firewall.`,
    });
  }
}
