import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFile, type DownloadProgress } from './download.js';
import { DatasetError } from './errors.js';
import { maybeGunzip } from './gzip.js';
import { readFileOrThrow } from './idx.js';
import { cacheDirFor, locations, type FileSource, type LocationOptions } from './locations.js';
import { datasets, type DatasetName, type RegistryFile } from './registry.js';
import { sha256Hex } from './sha256.js';

/** Where a data file came from and how it was checked. */
export interface ResolvedFile {
  path: string;
  source: FileSource;
  /** Size of the file as stored (compressed when it is a `.gz`). */
  bytes: number;
  /** sha256 of the file as stored. */
  sha256: string;
  /** sha256 of the decompressed IDX content. */
  contentSha256: string;
  /**
   * `archive`: the file is the published `.gz` byte for byte; `content`: a recompressed (or
   * uncompressed) copy whose decompressed content matches; `consistency`: a custom data set,
   * checked for internal consistency only.
   */
  verifiedBy: 'archive' | 'content' | 'consistency';
  /** The mirror URL, for a file downloaded by this call. */
  url?: string;
}

/** Options for finding, verifying and downloading official files. */
export interface ResolveOptions extends LocationOptions {
  /** Download from the mirrors when no local copy exists; default true. */
  download?: boolean;
  /** Mirror base URLs to use instead of the registry's (e.g. a local server). */
  mirrors?: string[];
  /** Called as download bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Receives one line per place looked and per decision. */
  log?: (line: string) => void;
}

/** A candidate path and the resolution step it belongs to. */
export interface Candidate {
  path: string;
  source: Exclude<FileSource, 'download' | 'custom'>;
}

/** Every path looked at for `file`, in resolution order (`.gz` first, then the raw IDX). */
export function candidatePaths(name: DatasetName, file: RegistryFile, options: LocationOptions = {}): Candidate[] {
  const raw = file.file.replace(/\.gz$/, '');
  return locations(name, options).flatMap((location) => [
    { source: location.source, path: join(location.dir, file.file) },
    { source: location.source, path: join(location.dir, raw) },
  ]);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The first existing candidate, logging each place looked; `looked` lists them all. */
export async function findFile(
  name: DatasetName,
  file: RegistryFile,
  options: ResolveOptions = {},
): Promise<{ found: Candidate | undefined; looked: Candidate[] }> {
  const looked: Candidate[] = [];
  const label = `${name}/${file.file}`;
  const env = options.env ?? process.env;
  if (!options.dataDir) options.log?.(`${label}: dataDir option not set`);
  if (!env.APB_DATA_DIR) options.log?.(`${label}: APB_DATA_DIR not set`);
  for (const candidate of candidatePaths(name, file, options)) {
    looked.push(candidate);
    if (await isFile(candidate.path)) {
      options.log?.(`${label}: ${candidate.source} ${candidate.path}: found`);
      return { found: candidate, looked };
    }
    options.log?.(`${label}: ${candidate.source} ${candidate.path}: not found`);
  }
  return { found: undefined, looked };
}

/**
 * Reads `path` and checks it against the registry: first the sha256 of the file itself (the
 * published archive), then, for recompressed or raw copies such as Debian's, the sha256 of the
 * decompressed content.
 *
 * @returns the decompressed IDX bytes and how the file verified.
 * @throws DatasetError `CHECKSUM_MISMATCH` naming the file, the expected and the actual sha256.
 */
export async function verifyFile(
  path: string,
  source: FileSource,
  file: RegistryFile,
  log?: (line: string) => void,
): Promise<{ resolved: ResolvedFile; content: Uint8Array }> {
  const raw = await readFileOrThrow(path);
  // Inflate on the zlib thread pool while this thread hashes the archive.
  const inflating = maybeGunzip(raw, path).then(
    (content) => ({ content, error: undefined }),
    (error: unknown) => ({ content: undefined, error }),
  );
  const sha256 = sha256Hex(raw);
  const { content, error } = await inflating;
  if (sha256 === file.sha256 && content) {
    log?.(`${path}: sha256 matches the published archive`);
    return {
      resolved: { path, source, bytes: raw.length, sha256, contentSha256: file.decompressedSha256, verifiedBy: 'archive' },
      content,
    };
  }
  const decompressError = DatasetError.isInstance(error) ? error.message.replace(`${path}: `, '') : String(error);
  const contentSha256 = content ? sha256Hex(content) : undefined;
  if (content && contentSha256 === file.decompressedSha256) {
    log?.(`${path}: recompressed or raw copy; sha256 of the decompressed content matches`);
    return { resolved: { path, source, bytes: raw.length, sha256, contentSha256, verifiedBy: 'content' }, content };
  }
  const actual = content ? `got ${sha256} (decompressed ${contentSha256})` : `got ${sha256}, and ${decompressError}`;
  throw new DatasetError(
    `${path}: sha256 mismatch: expected ${file.sha256} (published ${file.file}) or decompressed ${file.decompressedSha256}, ${actual}`,
    {
      code: 'CHECKSUM_MISMATCH',
      suggestion: `delete ${path} and provide the original ${file.file} again (or run \`apb datasets fetch\`)`,
    },
  );
}

/** Without a progress callback, verbose output still shows a download moving, in quarters. */
function quarterLogger(log: (line: string) => void): (progress: DownloadProgress) => void {
  let last = 0;
  return ({ url, received, total }) => {
    if (!total) return;
    const quarter = Math.floor((4 * received) / total);
    if (quarter > last) {
      last = quarter;
      log(`${url}: ${quarter * 25}% of ${total} bytes`);
    }
  };
}

function notFound(
  name: DatasetName,
  file: RegistryFile,
  looked: Candidate[],
  options: ResolveOptions,
  why: string,
  code = 'DATASET_NOT_FOUND',
): DatasetError {
  const env = options.env ?? process.env;
  const places = [
    options.dataDir ? undefined : 'dataDir option (not set)',
    env.APB_DATA_DIR ? undefined : 'APB_DATA_DIR (not set)',
    ...looked.map((c) => `${c.source} ${c.path}`),
  ].filter((p): p is string => p !== undefined);
  const cache = cacheDirFor(name, options);
  const debian = datasets[name].debianPackage;
  return new DatasetError(`${name} ${file.split} ${file.kind} (${file.file}) not found ${why}; looked in: ${places.join(', ')}`, {
    code,
    suggestion:
      `provide it one of three ways: pass dataDir or set APB_DATA_DIR to a folder holding ${name}/${file.file}; ` +
      `run \`apb datasets fetch ${name}\` with internet access to download it into ${cache}; ` +
      (debian ? `or install the Debian package ${debian} (/usr/share/datasets/${name})` : `or copy the file into ${cache} yourself`),
  });
}

/**
 * Finds one official file along the resolution order, verifies it and returns its decompressed
 * content; downloads it into the cache when no copy exists and `download` is not false.
 */
export async function resolveOfficialFile(
  name: DatasetName,
  file: RegistryFile,
  options: ResolveOptions = {},
): Promise<{ resolved: ResolvedFile; content: Uint8Array }> {
  const { found, looked } = await findFile(name, file, options);
  if (found) return verifyFile(found.path, found.source, file, options.log);
  if (options.download === false) {
    options.log?.(`${name}/${file.file}: download is off`);
    throw notFound(name, file, looked, options, 'and download is off');
  }
  const mirrors = options.mirrors ?? datasets[name].mirrors;
  const destination = join(cacheDirFor(name, options), file.file);
  let result;
  try {
    const request = {
      urls: mirrors.map((base) => new URL(file.file, base.endsWith('/') ? base : `${base}/`).toString()),
      destination,
      expectedSha256: file.sha256,
      expectedBytes: file.bytes,
      ...(options.onProgress
        ? { onProgress: options.onProgress }
        : options.log
          ? { onProgress: quarterLogger(options.log) }
          : {}),
      ...(options.log ? { log: options.log } : {}),
    };
    result = await downloadFile(request);
  } catch (error) {
    const reason = DatasetError.isInstance(error) ? error.message.replace(`${destination}: `, '') : String(error);
    throw notFound(name, file, looked, options, `locally and ${reason}`, 'DOWNLOAD_FAILED');
  }
  const verified = await verifyFile(result.path, 'download', file, options.log);
  verified.resolved.url = result.url;
  return verified;
}
