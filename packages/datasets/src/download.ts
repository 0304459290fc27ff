import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname } from 'node:path';
import { temporaryPathFor } from '@apb/core';
import { DatasetError } from './errors.js';

/** Reported while a file downloads. `total` is undefined when the server sends no length. */
export interface DownloadProgress {
  file: string;
  url: string;
  received: number;
  total: number | undefined;
}

/** What to download, where to, and what it must hash to. */
export interface DownloadRequest {
  /** Tried in order; the next one is tried when one fails for any reason. */
  urls: string[];
  /** Final path; written only once the content is verified. */
  destination: string;
  expectedSha256: string;
  expectedBytes?: number;
  onProgress?: (progress: DownloadProgress) => void;
  log?: (line: string) => void;
  /** Gives up on a connection silent for this long; default 30 s. */
  timeoutMs?: number;
}

/** The mirror that served a verified file. */
export interface DownloadResult {
  url: string;
  path: string;
  bytes: number;
  sha256: string;
}

const MAX_REDIRECTS = 5;

function request(url: string, timeoutMs: number, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : url.startsWith('http:') ? httpGet : undefined;
    if (!get) {
      reject(new Error(`unsupported URL scheme in ${url}`));
      return;
    }
    const req = get(url, { timeout: timeoutMs }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        request(new URL(location, url).toString(), timeoutMs, redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new Error(`HTTP ${status}`));
        return;
      }
      resolve(response);
    });
    req.on('timeout', () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function downloadOne(url: string, temp: string, request_: DownloadRequest): Promise<{ bytes: number; sha256: string }> {
  const timeoutMs = request_.timeoutMs ?? 30_000;
  const response = await request(url, timeoutMs);
  const lengthHeader = response.headers['content-length'];
  const total = lengthHeader === undefined ? undefined : Number(lengthHeader);
  const hash = createHash('sha256');
  const out = createWriteStream(temp);
  let received = 0;
  const file = request_.destination;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      response.destroy();
      out.destroy();
      reject(error);
    };
    response.setTimeout(timeoutMs, () => fail(new Error(`no data for ${timeoutMs} ms`)));
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      if (!out.write(chunk)) {
        response.pause();
        out.once('drain', () => response.resume());
      }
      request_.onProgress?.({ file, url, received, total });
    });
    // A connection cut midway shows up as 'error' or as 'close' without 'end'; a short 'end'
    // is caught by the length and checksum checks below.
    let ended = false;
    response.on('error', fail);
    out.on('error', fail);
    response.on('close', () => {
      if (!ended) fail(new Error(`connection closed after ${received} bytes`));
    });
    response.on('end', () => {
      ended = true;
      if (failed) return;
      out.end(() => resolve());
    });
  });
  const sha256 = hash.digest('hex');
  if (total !== undefined && received !== total) {
    throw new Error(`got ${received} of ${total} bytes`);
  }
  if (request_.expectedBytes !== undefined && received !== request_.expectedBytes) {
    throw new Error(`got ${received} bytes, expected ${request_.expectedBytes}`);
  }
  if (sha256 !== request_.expectedSha256) {
    throw new Error(`sha256 mismatch: expected ${request_.expectedSha256}, got ${sha256}`);
  }
  return { bytes: received, sha256 };
}

/**
 * Downloads a file from the first mirror that serves the expected content. Data goes to a temp
 * file beside the destination, hashed on the fly, and is renamed into place only once its size
 * and sha256 match; on any failure the temp file is removed and the next mirror is tried.
 *
 * @throws DatasetError `DOWNLOAD_FAILED` naming the file and why each mirror failed.
 */
export async function downloadFile(request_: DownloadRequest): Promise<DownloadResult> {
  const { destination, log } = request_;
  await mkdir(dirname(destination), { recursive: true });
  const failures: string[] = [];
  for (const url of request_.urls) {
    const temp = temporaryPathFor(destination);
    log?.(`downloading ${url} -> ${destination}`);
    try {
      const { bytes, sha256 } = await downloadOne(url, temp, request_);
      await rename(temp, destination);
      log?.(`downloaded ${url}: ${bytes} bytes, sha256 verified`);
      return { url, path: destination, bytes, sha256 };
    } catch (error) {
      await rm(temp, { force: true });
      const reason = error instanceof Error ? error.message : String(error);
      log?.(`download from ${url} failed: ${reason}`);
      failures.push(`${url} (${reason})`);
    }
  }
  throw new DatasetError(`${destination}: download failed from every mirror: ${failures.join('; ') || 'no mirrors given'}`, {
    code: 'DOWNLOAD_FAILED',
    suggestion: 'check the internet connection, or provide the file yourself with the dataDir option or APB_DATA_DIR',
  });
}
