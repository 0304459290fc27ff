import { isApbError } from '@apb/core';
import type { Dataset } from '@apb/datasets';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Chart } from '../report/charts.js';
import { collectResults } from '../report/collect-runs.js';
import { filesUrl, listRuns, runKey } from './run-listing.js';
import { contentType, resolveInside, type RefusedPath } from './safe-file.js';
import { loadRunTestSet, pageOfImages } from './test-images.js';

/** Where {@link createServer} reads from. */
export interface ServerOptions {
  /** The served results folder: run folders, report.html, eval records. */
  root: string;
  /** The built web app (index.html and assets/). */
  appDir: string;
}

const STATUS: Record<RefusedPath, number> = { 'bad-request': 400, forbidden: 403, 'not-found': 404 };

function sendError(reply: FastifyReply, status: number, error: unknown): FastifyReply {
  const known = isApbError(error);
  return reply.code(status).send({
    error: {
      code: known ? error.code : 'INTERNAL',
      message: (error as Error).message,
      suggestion: known ? (error.suggestion ?? null) : 'Look at the terminal running apb serve.',
    },
  });
}

async function sendFileUnder(reply: FastifyReply, root: string, encoded: string): Promise<FastifyReply> {
  const found = await resolveInside(root, encoded);
  if ('refused' in found) return reply.code(STATUS[found.refused]).type('text/plain; charset=utf-8').send(`${found.refused.replace('-', ' ')}\n`);
  return reply.type(contentType(found.file)).send(await readFile(found.file));
}

/** The part of a raw request URL after `prefix`, without its query string. */
function rawPathAfter(url: string, prefix: string): string {
  const path = url.split('?')[0] ?? '';
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The HTTP app of `apb serve` (fastify): the web app's static files, run listing, charts and test
 * images as JSON, and the files under the results folder, nothing outside it. Returned unstarted
 * so tests can `inject` requests.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const { root, appDir } = options;
  const app = Fastify({ logger: false });
  const datasets = new Map<string, Promise<Dataset>>();
  let charts: { signature: string; charts: Promise<Chart[]> } | undefined;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });

  app.get('/api/runs', async (_request, reply) => {
    try {
      const { runs, skipped } = await collectResults(root);
      const reportHtml = (await fileExists(join(root, 'report.html'))) ? filesUrl('.', 'report.html') : null;
      return { root, runs: await listRuns(root, runs), skipped, reportHtml };
    } catch (error) {
      return sendError(reply, 404, error);
    }
  });

  app.get('/api/charts', async (_request, reply) => {
    try {
      const { runs } = await collectResults(root);
      const signature = JSON.stringify(runs.map((run) => [run.path, run.record.updatedAt]));
      if (charts?.signature !== signature) {
        // Loaded on first use: the report brings vega and @apb/attacks brings TensorFlow.js.
        const rendered = (async () => {
          const [{ buildReportData }, { loadPaperResults }, { renderCharts }, { DIAGNOSTIC_MEANINGS }] = await Promise.all([
            import('../report/report-data.js'),
            import('../report/paper-results.js'),
            import('../report/charts.js'),
            import('@apb/attacks'),
          ]);
          return renderCharts(buildReportData(runs, await loadPaperResults(), { flagMeanings: DIAGNOSTIC_MEANINGS }));
        })();
        charts = { signature, charts: rendered };
        rendered.catch(() => (charts = undefined));
      }
      return { charts: await charts.charts };
    } catch (error) {
      return sendError(reply, 500, error);
    }
  });

  app.get<{ Querystring: { run?: string; offset?: string; n?: string } }>('/api/test-images', async (request, reply) => {
    try {
      const { runs } = await collectResults(root);
      const found = runs.find((run) => runKey(run.path) === request.query.run);
      if (found === undefined) {
        return reply.code(404).send({ error: { code: 'RUN_NOT_FOUND', message: `No run ${JSON.stringify(request.query.run ?? '')} under ${root}.`, suggestion: 'Pick a run from the list.' } });
      }
      const { config } = found.record;
      const cacheKey = JSON.stringify([config.dataset, config.datasetDir, config.dataDir]);
      let dataset = datasets.get(cacheKey);
      if (dataset === undefined) {
        dataset = loadRunTestSet(config);
        datasets.set(cacheKey, dataset);
        // A data set that is missing now may be put in place while the server runs.
        dataset.catch(() => datasets.delete(cacheKey));
      }
      return pageOfImages(await dataset, Number(request.query.offset ?? 0) || 0, Number(request.query.n ?? 24) || 24);
    } catch (error) {
      return sendError(reply, 404, error);
    }
  });

  app.get('/files/*', async (request, reply) => sendFileUnder(reply, root, rawPathAfter(request.raw.url ?? '', '/files/')));

  app.get('/*', async (request, reply) => {
    const path = rawPathAfter(request.raw.url ?? '', '/');
    return sendFileUnder(reply, appDir, path === '' ? 'index.html' : path);
  });

  return app;
}
