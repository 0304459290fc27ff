import { gunzip } from 'node:zlib';
import { DatasetError } from './errors.js';

/** True when `data` starts with the gzip magic bytes `1f 8b`. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

function gunzipAsync(data: Uint8Array): Promise<Buffer> {
  // zlib's native inflate on the whole buffer runs on the libuv thread pool, which beats any
  // streaming JS loop for a 47 MB IDX file.
  return new Promise((resolve, reject) => {
    gunzip(data, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Decompresses `data` read from `file`. A file whose name ends in `.gz` must be gzip; any other
 * file is decompressed only when it starts with the gzip magic bytes, and returned as is otherwise.
 *
 * @throws DatasetError `GZIP_NOT_GZIP` or `GZIP_TRUNCATED` or `GZIP_CORRUPT`, naming `file`.
 */
export async function maybeGunzip(data: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(data)) {
    if (file.endsWith('.gz')) {
      throw new DatasetError(`${file}: not a gzip file (it does not start with bytes 1f 8b)`, {
        code: 'GZIP_NOT_GZIP',
        suggestion: `replace ${file} with the original .gz archive, or drop the .gz suffix if it is a raw IDX file`,
      });
    }
    return data;
  }
  try {
    const out = await gunzipAsync(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const truncated = /unexpected end of file/i.test(reason);
    throw new DatasetError(
      truncated
        ? `${file}: gzip data is truncated (${reason})`
        : `${file}: gzip data is corrupt (${reason})`,
      {
        code: truncated ? 'GZIP_TRUNCATED' : 'GZIP_CORRUPT',
        suggestion: `delete ${file} and provide it again (copy it whole, or run \`apb datasets fetch\`)`,
        cause: error,
      },
    );
  }
}
