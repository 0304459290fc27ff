import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './errors.js';
import { maybeGunzip } from './gzip.js';
import { readFileOrThrow } from './idx.js';
import type { ResolvedFile } from './resolve-file.js';
import type { FileKind, Split } from './registry.js';
import { sha256Hex } from './sha256.js';

/** A user data set: a folder of IDX files named like the MNIST ones. */
export interface CustomDatasetSpec {
  dir: string;
  name: string;
}

const PREFIXES: Record<Split, string[]> = { train: ['train'], test: ['t10k', 'test'] };
const SUFFIX: Record<FileKind, string[]> = { images: ['-images-idx3-ubyte', '-images.idx3-ubyte'], labels: ['-labels-idx1-ubyte', '-labels.idx1-ubyte'] };

/** File names accepted for one split's images or labels, gzip or raw, in the order tried. */
export function customFileNames(split: Split, kind: FileKind): string[] {
  return PREFIXES[split].flatMap((prefix) => SUFFIX[kind].flatMap((suffix) => [`${prefix}${suffix}.gz`, `${prefix}${suffix}`]));
}

/** Finds, reads and decompresses one file of a custom data set. */
export async function readCustomFile(
  spec: CustomDatasetSpec,
  split: Split,
  kind: FileKind,
  log?: (line: string) => void,
): Promise<{ resolved: ResolvedFile; content: Uint8Array }> {
  let entries: string[];
  try {
    entries = await readdir(spec.dir);
  } catch (error) {
    throw new DatasetError(`${spec.dir}: cannot read the folder of data set ${spec.name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      code: 'DATASET_NOT_FOUND',
      suggestion: `pass { dir, name } with dir an existing folder of IDX files`,
      cause: error,
    });
  }
  const names = customFileNames(split, kind);
  const fileName = names.find((candidate) => entries.includes(candidate));
  for (const candidate of names) log?.(`${spec.name} ${split} ${kind}: custom ${join(spec.dir, candidate)}: ${candidate === fileName ? 'found' : 'not found'}`);
  if (!fileName) {
    throw new DatasetError(`${spec.dir}: no ${split} ${kind} file for data set ${spec.name}; looked for ${names.join(', ')}`, {
      code: 'DATASET_NOT_FOUND',
      suggestion: `add ${names[0]} (IDX format, e.g. written by writeIdx) to ${spec.dir}`,
    });
  }
  const path = join(spec.dir, fileName);
  const raw = await readFileOrThrow(path);
  const content = await maybeGunzip(raw, path);
  return {
    resolved: { path, source: 'custom', bytes: raw.length, sha256: sha256Hex(raw), contentSha256: sha256Hex(content), verifiedBy: 'consistency' },
    content,
  };
}

/**
 * Class names of a custom data set: `classes.txt` (one per line) or `classes.json` (an array of
 * strings) in its folder; otherwise the labels as strings `'0'..String(maxLabel)`.
 */
export async function customClassNames(spec: CustomDatasetSpec, labels: Uint8Array): Promise<string[]> {
  const text = await readFile(join(spec.dir, 'classes.txt'), 'utf8').catch(() => undefined);
  if (text !== undefined) return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  const json = await readFile(join(spec.dir, 'classes.json'), 'utf8').catch(() => undefined);
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      parsed = error;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw new DatasetError(`${join(spec.dir, 'classes.json')}: expected a JSON array of class-name strings`, {
        code: 'BAD_CLASS_NAMES',
        suggestion: 'write it as e.g. ["cat", "dog"], one name per label',
      });
    }
    return parsed;
  }
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > max) max = labels[i]!;
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
