import { DatasetError } from './errors.js';
import { decodeIdx } from './idx.js';
import type { FileSource } from './locations.js';
import { verboseLog } from './load-dataset.js';
import { datasets, datasetNames, isDatasetName, type DatasetName, type FileKind, type RegistryFile, type Split } from './registry.js';
import { findFile, resolveOfficialFile, verifyFile, type ResolveOptions, type ResolvedFile } from './resolve-file.js';

/** What `apb datasets` does: show where files are, check them, or download missing ones. */
export type DatasetsAction = 'list' | 'verify' | 'fetch';

/** Options for {@link runDatasets}. */
export interface RunDatasetsOptions extends Omit<ResolveOptions, 'log'> {
  action: DatasetsAction;
  /** Which data sets; default all registered ones. */
  names?: string[];
  verbose?: boolean;
  log?: (line: string) => void;
}

/** The outcome for one file. */
export interface FileReport {
  file: string;
  split: Split;
  kind: FileKind;
  /** Published size and sha256 from the registry. */
  expectedBytes: number;
  expectedSha256: string;
  /**
   * `found`: located, not checked (`list`); `verified`: checksum (and IDX structure) good;
   * `missing`: in none of the places looked; `mismatch`: wrong checksum; `error`: unreadable,
   * corrupt or failed to download.
   */
  status: 'found' | 'verified' | 'missing' | 'mismatch' | 'error';
  path?: string;
  source?: FileSource;
  resolved?: ResolvedFile;
  /** Every path looked at, in order, as `source path`. */
  looked: string[];
  /** The one-line error and suggestion, for `missing`, `mismatch` and `error`. */
  message?: string;
  suggestion?: string;
}

/** The outcome for one data set. */
export interface DatasetReport {
  name: DatasetName;
  title: string;
  classNames: string[];
  mirrors: string[];
  files: FileReport[];
}

/** The structured result the CLI prints (or writes as JSON with `--json`). */
export interface DatasetsReport {
  action: DatasetsAction;
  /** `list`: no file is corrupt or unreadable; `verify`/`fetch`: every file verified. */
  ok: boolean;
  datasets: DatasetReport[];
}

async function checkStructure(file: RegistryFile, path: string, content: Uint8Array): Promise<void> {
  const array = decodeIdx(content, path);
  if (array.shape[0] !== file.count) {
    throw new DatasetError(`${path}: header declares ${array.shape[0]} items, expected ${file.count}`, {
      code: 'IDX_LENGTH_MISMATCH',
      suggestion: `delete ${path} and provide the original ${file.file} again`,
    });
  }
}

async function reportFile(name: DatasetName, file: RegistryFile, options: RunDatasetsOptions, log: ((line: string) => void) | undefined): Promise<FileReport> {
  const resolveOptions: ResolveOptions = { ...options, ...(log ? { log } : {}) };
  if (!log) delete resolveOptions.log;
  const base = { file: file.file, split: file.split, kind: file.kind, expectedBytes: file.bytes, expectedSha256: file.sha256 };
  const { found, looked } = await findFile(name, file, { ...resolveOptions, log: () => undefined });
  const lookedLines = looked.map((c) => `${c.source} ${c.path}`);
  try {
    if (options.action === 'list') {
      for (const line of lookedLines) log?.(`${name}/${file.file}: looked in ${line}`);
      return found
        ? { ...base, status: 'found', path: found.path, source: found.source, looked: lookedLines }
        : { ...base, status: 'missing', looked: lookedLines };
    }
    if (options.action === 'verify' && !found) {
      return {
        ...base,
        status: 'missing',
        looked: lookedLines,
        message: `${name}/${file.file} not found`,
        suggestion: `run \`apb datasets fetch ${name}\`, or pass dataDir / set APB_DATA_DIR`,
      };
    }
    const { resolved, content } =
      options.action === 'verify' && found
        ? await verifyFile(found.path, found.source, file, log)
        : await resolveOfficialFile(name, file, resolveOptions);
    await checkStructure(file, resolved.path, content);
    return { ...base, status: 'verified', path: resolved.path, source: resolved.source, resolved, looked: lookedLines };
  } catch (error) {
    if (!DatasetError.isInstance(error)) throw error;
    const status = error.code === 'CHECKSUM_MISMATCH' ? 'mismatch' : error.code === 'DATASET_NOT_FOUND' ? 'missing' : 'error';
    return {
      ...base,
      status,
      ...(found ? { path: found.path, source: found.source } : {}),
      looked: lookedLines,
      message: error.message,
      ...(error.suggestion ? { suggestion: error.suggestion } : {}),
    };
  }
}

/**
 * The work behind `apb datasets list|verify|fetch`: for each data set and file, where it was found
 * (and every place looked), and with `verify`/`fetch` whether its checksum and IDX structure are
 * good. `fetch` downloads missing files into the cache. Problems with files are reported, not
 * thrown; only bad options throw.
 */
export async function runDatasets(options: RunDatasetsOptions): Promise<DatasetsReport> {
  const { action } = options;
  if (action !== 'list' && action !== 'verify' && action !== 'fetch') {
    throw new DatasetError(`action: expected list, verify or fetch, got ${JSON.stringify(action)}`, {
      code: 'BAD_OPTION',
      suggestion: 'run `apb datasets list`, `apb datasets verify` or `apb datasets fetch`',
    });
  }
  const names = options.names ?? [...datasetNames];
  const unknown = names.filter((n) => !isDatasetName(n));
  if (unknown.length > 0) {
    throw new DatasetError(`unknown data set ${unknown.join(', ')}; known: ${datasetNames.join(', ')}`, {
      code: 'UNKNOWN_DATASET',
      suggestion: `name one of ${datasetNames.join(', ')}`,
    });
  }
  const log = verboseLog(options);
  const reports: DatasetReport[] = [];
  for (const name of names as DatasetName[]) {
    const entry = datasets[name];
    const files: FileReport[] = [];
    // One file at a time keeps downloads and hashing from competing for the same disk and link.
    for (const file of entry.files) files.push(await reportFile(name, file, options, log));
    reports.push({ name, title: entry.title, classNames: [...entry.classNames], mirrors: [...entry.mirrors], files });
  }
  const all = reports.flatMap((r) => r.files);
  const ok = action === 'list' ? all.every((f) => f.status !== 'error') : all.every((f) => f.status === 'verified');
  return { action, ok, datasets: reports };
}
