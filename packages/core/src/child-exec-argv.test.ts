import { describe, expect, it } from 'vitest';

import { inheritableExecArgv } from './child-exec-argv.js';

describe('inheritableExecArgv', () => {
  it('keeps memory and diagnostic flags, with or without a value, and drops everything else', () => {
    const flags = ['--max-old-space-size=4096', '--expose-gc', '--conditions=@apb/source', '-e', 'x()', '--stack-size=2000', '--no-warnings-please', '--enable-source-maps'];
    expect(inheritableExecArgv(flags)).toEqual(['--max-old-space-size=4096', '--expose-gc', '--stack-size=2000', '--enable-source-maps']);
  });
});
