import { Command, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';

import { cliError } from '../cli-error.js';
import { processOutput, silentOutput, type Output } from '../output.js';
import { createServer } from '../serve/server.js';

/** Options of `apb serve`. */
export const serveOptionsSchema = z.strictObject({
  /** The results folder: run folders (run.json, model-folded/), report.html. */
  dir: z.string().min(1, 'must name a directory'),
  /** TCP port; 0 picks a free one. */
  port: z.coerce.number({ error: 'must be a port number 0..65535' }).int('must be an integer').min(0, 'must be 0..65535').max(65535, 'must be 0..65535').default(5173),
  /** Interface to listen on; loopback by default, since the server hands out every file under DIR. */
  host: z.string().min(1).default('127.0.0.1'),
});

/** Options of {@link runServe}. */
export type ServeOptions = z.input<typeof serveOptionsSchema>;

/** A running `apb serve`. */
export interface ServeHandle {
  /** The page's address, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  port: number;
  server: FastifyInstance;
  close: () => Promise<void>;
}

/** The folder of the built web app from `@apb/serve-app`, checked to hold its index.html. */
export async function serveAppDir(): Promise<string> {
  try {
    const { appDir } = await import('@apb/serve-app');
    if ((await stat(join(appDir, 'index.html'))).isFile()) return appDir;
  } catch {
    // reported below
  }
  throw cliError('SERVE_APP_MISSING', 'The web app of apb serve (@apb/serve-app) is not built.', 'In a checkout run pnpm build; otherwise reinstall @apb/cli.');
}

/**
 * Serves `dir` on `host:port`: the web app, the run listing and charts, test images of each run's
 * data set and the files under `dir` (the folded models the playground attacks). Resolves once it
 * listens; `close()` stops it.
 */
export async function runServe(options: ServeOptions, output: Output = silentOutput): Promise<ServeHandle> {
  const { dir, port, host } = serveOptionsSchema.parse(options);
  const root = resolve(dir);
  let isDirectory = false;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw cliError('SERVE_DIR_NOT_FOUND', `${root} is not a directory.`, 'Pass the --out folder of apb reproduce or apb train.');
  const server = await createServer({ root, appDir: await serveAppDir() });
  try {
    await server.listen({ port, host });
  } catch (error) {
    await server.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw cliError('PORT_IN_USE', `Port ${port} on ${host} is in use.`, 'Pass another --port (or --port 0 for any free one).', error);
    throw cliError('SERVE_LISTEN_FAILED', `Cannot listen on ${host}:${port}: ${(error as Error).message}.`, 'Pass another --port or --host.', error);
  }
  const address = server.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`;
  output.log(`apb serve: ${root} at ${url} (Ctrl-C stops)`);
  return { url, port: actualPort, server, close: () => server.close() };
}

/** `apb serve DIR`. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('browse the runs under DIR and attack their folded models live in the browser (FGSM, PGD, side by side)')
    .argument('<dir>', 'results folder (searched recursively for run.json)')
    .addOption(new Option('--port <port>', 'TCP port (0: any free port)').default('5173'))
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addHelpText('after', '\nExamples:\n  $ apb serve runs/smoke\n  $ apb serve runs/quick --port 8080')
    .action(async (dir: string, flags: { port: string; host: string }) => {
      const handle = await runServe({ dir, port: flags.port, host: flags.host }, processOutput());
      // Keep the command running until Ctrl-C or SIGTERM, then close the server cleanly.
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void handle.close().then(resolveStop);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
