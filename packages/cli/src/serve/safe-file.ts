import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

/** Why a requested path was not served. */
export type RefusedPath = 'bad-request' | 'forbidden' | 'not-found';

/** Content types of the files `apb serve` hands out; anything else is an opaque download. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** The content type for a file name, by extension. */
export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function inside(root: string, candidate: string): boolean {
  const path = relative(root, candidate);
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

/**
 * Resolves `encoded` (a URL path below a route prefix, still percent-encoded) to a regular file
 * inside `root`, or says why not. `..` segments, encoded or not, are refused outright rather than
 * normalised, and the real path (symlinks followed) must still lie inside the real `root`, so a
 * link pointing out of the folder serves nothing.
 */
export async function resolveInside(root: string, encoded: string): Promise<{ file: string } | { refused: RefusedPath }> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return { refused: 'bad-request' };
  }
  if (decoded.includes('\0')) return { refused: 'bad-request' };
  const segments = decoded.split(/[/\\]/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return { refused: 'forbidden' };
  const candidate = join(root, ...segments);
  if (!inside(root, candidate)) return { refused: 'forbidden' };
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!inside(realRoot, realFile)) return { refused: 'forbidden' };
    if (!(await stat(realFile)).isFile()) return { refused: 'not-found' };
    return { file: realFile };
  } catch {
    return { refused: 'not-found' };
  }
}
