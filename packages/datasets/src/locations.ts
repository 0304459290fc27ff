import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DatasetName } from './registry.js';

/** Where a file was found. */
export type FileSource = 'dataDir' | 'APB_DATA_DIR' | 'cache' | 'system' | 'download' | 'custom';

/** Options that decide where files are looked for. */
export interface LocationOptions {
  /** Folder holding the files, as `<dataDir>/<name>/<file>` or `<dataDir>/<file>`; looked in first. */
  dataDir?: string;
  /** The user cache root; default `$XDG_CACHE_HOME/apb/datasets` or `~/.cache/apb/datasets`. */
  cacheDir?: string;
  /** Debian's data set root; default `/usr/share/datasets`. */
  systemDir?: string;
  /** Environment to read `APB_DATA_DIR` and `XDG_CACHE_HOME` from; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** One folder to look in, and the step of the resolution order it belongs to. */
export interface Location {
  source: Exclude<FileSource, 'download' | 'custom'>;
  dir: string;
}

/** The user cache root: `$XDG_CACHE_HOME/apb/datasets` or `~/.cache/apb/datasets`. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'apb', 'datasets');
}

/** The folder downloads of `name` go to. */
export function cacheDirFor(name: DatasetName, options: LocationOptions = {}): string {
  return join(options.cacheDir ?? defaultCacheDir(options.env ?? process.env), name);
}

/**
 * The folders looked in, in order: `dataDir` option, `APB_DATA_DIR`, the user cache, Debian's
 * `/usr/share/datasets/<name>`. The first two accept the files either in a `<name>` subfolder
 * or directly.
 */
export function locations(name: DatasetName, options: LocationOptions = {}): Location[] {
  const env = options.env ?? process.env;
  const out: Location[] = [];
  // Absolute paths, so reports and errors say exactly where was looked.
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    out.push({ source: 'dataDir', dir: join(dataDir, name) }, { source: 'dataDir', dir: dataDir });
  }
  const fromEnv = env.APB_DATA_DIR ? resolve(env.APB_DATA_DIR) : undefined;
  if (fromEnv) out.push({ source: 'APB_DATA_DIR', dir: join(fromEnv, name) }, { source: 'APB_DATA_DIR', dir: fromEnv });
  out.push({ source: 'cache', dir: resolve(cacheDirFor(name, options)) });
  out.push({ source: 'system', dir: resolve(options.systemDir ?? '/usr/share/datasets', name) });
  return out;
}
