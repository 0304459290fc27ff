import { isApbError } from '@apb/core';
import { describe, expect, it } from 'vitest';
import { jobIdFor, runIdFromJobId } from './job-id.js';
import { assertQueueReachable, parseQueueUrl } from './queue-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, database and credentials from a redis URL', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseQueueUrl('redis://user:p%40ss@example.org')).toMatchObject({ host: 'example.org', port: 6379, db: 0, username: 'user', password: 'p@ss' });
    expect(parseQueueUrl('rediss://example.org:6379')).toMatchObject({ tls: {} });
  });

  it('refuses what is not a redis URL with a one-line error naming --queue', () => {
    for (const url of ['localhost:6379', 'http://localhost:6379', 'redis://localhost:6379/x']) {
      const error: unknown = (() => {
        try {
          return parseQueueUrl(url);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isApbError(error) && error.code, url).toBe('BAD_QUEUE_URL');
      expect((error as Error).message).toContain(`--queue ${url}`);
    }
  });
});

describe('jobIdFor', () => {
  it('encodes the characters BullMQ job ids cannot hold, reversibly', () => {
    for (const id of ['mnist-clean-apb-naive-s1', 'sources/mnist-clean-classical-s1-e3-n60000', 'odd:id%2F']) {
      expect(jobIdFor(id)).not.toMatch(/[:/]/);
      expect(runIdFromJobId(jobIdFor(id))).toBe(id);
    }
  });
});

describe('assertQueueReachable', () => {
  it('says at once that nothing listens at the URL, instead of waiting forever', async () => {
    const { createServer } = await import('node:net');
    // A port that was free a moment ago, so nothing listens on it.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        server.close(() => resolve(address.port));
      });
    });
    const error: unknown = await assertQueueReachable(`redis://127.0.0.1:${port}`).catch((caught: unknown) => caught);
    expect(isApbError(error) && error.code).toBe('QUEUE_UNREACHABLE');
    expect((error as Error).message).toContain(`redis://127.0.0.1:${port}`);
  });
});
