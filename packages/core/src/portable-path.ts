import { relative, sep } from 'node:path';

/**
 * `path` relative to `root` with `/` separators on every platform, `.` for `root` itself: how
 * results folders name their own files, so they can be moved, committed and read anywhere.
 */
export function portablePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}
