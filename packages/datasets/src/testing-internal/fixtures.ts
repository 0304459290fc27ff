import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../idx.js';
import { createRandom } from '../random.js';
import type { RegistryFile } from '../registry.js';
import { sha256Hex } from '../sha256.js';

/** A fresh temp folder; remove it with `removeDir`. */
export function makeTempDir(prefix = 'apb-datasets-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a folder made by `makeTempDir`. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Synthetic images and labels: pixel values and labels drawn from a seeded generator. */
export function syntheticSplit(count: number, rows = 4, cols = 3, numClasses = 3, seed = 7): { images: Uint8Array; labels: Uint8Array } {
  const random = createRandom(seed);
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = random.nextInt(256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % numClasses;
  return { images, labels };
}

/** IDX bytes of an images array `[count, rows, cols]`. */
export function imagesIdx(images: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  return encodeIdx({ shape: [count, rows, cols], data: images });
}

/** IDX bytes of a labels array. */
export function labelsIdx(labels: Uint8Array): Uint8Array {
  return encodeIdx({ shape: [labels.length], data: labels });
}

/** gzip with a chosen header mtime, so two compressions of one content differ byte for byte. */
export function gzipWithMtime(content: Uint8Array, mtime: number, level = 6): Uint8Array {
  const out = new Uint8Array(gzipSync(content, { level }));
  new DataView(out.buffer, out.byteOffset).setUint32(4, mtime, true);
  return out;
}

/** A registry entry describing a synthetic archive, for resolution and download tests. */
export function syntheticRegistryFile(file: string, archive: Uint8Array, content: Uint8Array, count: number): RegistryFile {
  return {
    file,
    split: file.startsWith('t10k') ? 'test' : 'train',
    kind: file.includes('images') ? 'images' : 'labels',
    bytes: archive.length,
    sha256: sha256Hex(archive),
    decompressedBytes: content.length,
    decompressedSha256: sha256Hex(content),
    count,
  };
}

/** How the test server answers a path. */
export type Route =
  | { kind: 'file'; body: Uint8Array }
  | { kind: 'truncate'; body: Uint8Array; after: number }
  | { kind: 'status'; status: number }
  | { kind: 'redirect'; location: string };

/** A real HTTP server on 127.0.0.1 serving fixed routes; `hits` counts requests per path. */
export interface TestServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

function answer(route: Route | undefined, response: ServerResponse): void {
  if (!route) {
    response.writeHead(404).end();
    return;
  }
  switch (route.kind) {
    case 'file':
      response.writeHead(200, { 'content-length': route.body.length }).end(route.body);
      return;
    case 'truncate':
      // Promise the whole file, send part of it, then cut the connection.
      response.writeHead(200, { 'content-length': route.body.length });
      response.write(route.body.subarray(0, route.after), () => response.socket?.destroy());
      return;
    case 'status':
      response.writeHead(route.status).end();
      return;
    case 'redirect':
      response.writeHead(302, { location: route.location }).end();
      return;
  }
}

/** Starts a server on 127.0.0.1 (a free port) answering `routes` by URL path. */
export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    answer(routes[path], response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
