import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeFileAtomic } from '@apb/core';
import { DatasetError } from './errors.js';
import { maybeGunzip } from './gzip.js';

/** Element types of the IDX format, by name. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array holding each {@link IdxDtype}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, shape (outermost first) and the values in row-major order. */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

interface DtypeInfo {
  code: number;
  size: number;
  create: (length: number) => IdxData;
  get: (view: DataView, offset: number) => number;
  set: (view: DataView, offset: number, value: number) => void;
}

// IDX stores multi-byte values big-endian, hence the DataView accessors.
const DTYPES: Record<IdxDtype, DtypeInfo> = {
  uint8: { code: 0x08, size: 1, create: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x) },
  int8: { code: 0x09, size: 1, create: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x) },
  int16: { code: 0x0b, size: 2, create: (n) => new Int16Array(n), get: (v, o) => v.getInt16(o), set: (v, o, x) => v.setInt16(o, x) },
  int32: { code: 0x0c, size: 4, create: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o), set: (v, o, x) => v.setInt32(o, x) },
  float32: { code: 0x0d, size: 4, create: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o), set: (v, o, x) => v.setFloat32(o, x) },
  float64: { code: 0x0e, size: 8, create: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o), set: (v, o, x) => v.setFloat64(o, x) },
};

function dtypeOfCode(code: number): IdxDtype | undefined {
  return (Object.keys(DTYPES) as IdxDtype[]).find((name) => DTYPES[name].code === code);
}

function dtypeOfData(data: IdxData): IdxDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

const hex = (n: number, width = 8): string => `0x${n.toString(16).padStart(width, '0')}`;

/** The IDX magic number (`0x00000803` for 3-d uint8) of a dtype and rank. */
export function idxMagic(dtype: IdxDtype, rank: number): number {
  return (DTYPES[dtype].code << 8) | rank;
}

function invalid(file: string, code: string, what: string, suggestion?: string): DatasetError {
  return new DatasetError(`${file}: ${what}`, {
    code,
    suggestion: suggestion ?? `replace ${file} with a valid IDX file (the original archive, or one written by writeIdx)`,
  });
}

/**
 * Decodes IDX bytes (already decompressed). Checks the magic number, the dtype byte, the
 * dimensions and that the byte length is exactly what the header declares.
 *
 * `uint8` data is a view into `bytes` (no copy); other dtypes are converted from big-endian.
 *
 * @param file names the source in error messages.
 * @throws DatasetError `IDX_TOO_SHORT`, `IDX_BAD_MAGIC`, `IDX_BAD_DTYPE`, `IDX_BAD_SHAPE` or
 *   `IDX_LENGTH_MISMATCH`.
 */
export function decodeIdx(bytes: Uint8Array, file = '<buffer>'): IdxArray {
  if (bytes.length < 4) {
    throw invalid(file, 'IDX_TOO_SHORT', `only ${bytes.length} bytes, too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw invalid(file, 'IDX_BAD_MAGIC', `wrong magic number ${hex(magic)}: an IDX file starts with two zero bytes`);
  }
  const dtype = dtypeOfCode(bytes[2]!);
  if (!dtype) {
    throw invalid(file, 'IDX_BAD_DTYPE', `unknown IDX dtype byte ${hex(bytes[2]!, 2)} in magic number ${hex(magic)}`);
  }
  const rank = bytes[3]!;
  if (rank === 0) {
    throw invalid(file, 'IDX_BAD_SHAPE', `magic number ${hex(magic)} declares 0 dimensions`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw invalid(file, 'IDX_TOO_SHORT', `${bytes.length} bytes, too short for a header of ${rank} dimensions (${headerBytes} bytes)`);
  }
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  const info = DTYPES[dtype];
  const length = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + length * info.size;
  if (expected !== bytes.length) {
    throw invalid(
      file,
      'IDX_LENGTH_MISMATCH',
      `header declares shape [${shape.join(', ')}] of ${dtype} (${expected} bytes with header) but the file has ${bytes.length} bytes` +
        (bytes.length < expected ? ' (truncated)' : ' (trailing data)'),
    );
  }
  if (dtype === 'uint8') {
    return { dtype, shape, data: bytes.subarray(headerBytes) };
  }
  const data = info.create(length);
  for (let i = 0, offset = headerBytes; i < length; i++, offset += info.size) data[i] = info.get(view, offset);
  return { dtype, shape, data };
}

/**
 * Encodes an array in IDX format (uncompressed). The dtype follows the typed array's type.
 *
 * @throws DatasetError `IDX_BAD_SHAPE` when `shape` does not match `data.length`.
 */
export function encodeIdx(array: { shape: readonly number[]; data: IdxData }): Uint8Array {
  const { shape, data } = array;
  const dtype = dtypeOfData(data);
  const length = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff) || length !== data.length) {
    throw new DatasetError(`encodeIdx: shape [${shape.join(', ')}] does not fit ${data.length} values`, {
      code: 'IDX_BAD_SHAPE',
      suggestion: 'pass a shape of 1 to 255 non-negative integer dimensions whose product is data.length',
    });
  }
  const info = DTYPES[dtype];
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + length * info.size);
  const view = new DataView(out.buffer);
  view.setUint32(0, idxMagic(dtype, shape.length));
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  if (dtype === 'uint8') {
    out.set(data, headerBytes);
  } else {
    for (let i = 0, offset = headerBytes; i < length; i++, offset += info.size) info.set(view, offset, data[i]!);
  }
  return out;
}

/**
 * Reads an IDX file, gzip-compressed (decompressed by zlib) or raw.
 *
 * @throws DatasetError for a missing file (`FILE_NOT_FOUND`), bad gzip or bad IDX content,
 *   always naming `path`.
 */
export async function readIdx(path: string): Promise<IdxArray> {
  return decodeIdx(await maybeGunzip(await readFileOrThrow(path), path), path);
}

/** Reads a whole file; a missing or unreadable file becomes a one-line {@link DatasetError}. */
export async function readFileOrThrow(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetError(`${path}: cannot read file (${code ?? String(error)})`, {
      code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      suggestion: code === 'ENOENT' ? `check the path ${path}` : `check the permissions of ${path}`,
      cause: error,
    });
  }
}

/** Options for {@link writeIdx}. */
export interface WriteIdxOptions {
  /** gzip the output; default: when `path` ends in `.gz`. */
  gzip?: boolean;
}

/**
 * Writes an array as an IDX file, gzip-compressed or raw, through a temp file and a rename so
 * that no half-written file is ever left at `path`.
 */
export async function writeIdx(
  path: string,
  array: { shape: readonly number[]; data: IdxData },
  options: WriteIdxOptions = {},
): Promise<void> {
  const raw = encodeIdx(array);
  const compress = options.gzip ?? path.endsWith('.gz');
  const bytes = compress ? new Uint8Array(await promisify(gzip)(raw)) : raw;
  await writeFileAtomic(path, bytes);
}
