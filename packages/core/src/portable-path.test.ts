import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { portablePath } from './portable-path.js';

describe('portablePath', () => {
  it('names a file below the root with / separators, and the root itself as .', () => {
    const root = join('/', 'results', 'quick');
    expect(portablePath(root, join(root, 'sources', 'x', 'run.json'))).toBe('sources/x/run.json');
    expect(portablePath(root, root)).toBe('.');
    expect(portablePath(join(root, 'run'), join(root, 'other', 'model'))).toBe('../other/model');
  });
});
