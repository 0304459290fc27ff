import * as core from '@apb/core';
import { describe, expect, it } from 'vitest';

import { ApbError, isApbError } from './index.js';

describe('ApbError from @apb/backend', () => {
  it('is the class from @apb/core, so older imports of it keep working', () => {
    expect(ApbError).toBe(core.ApbError);
    expect(isApbError).toBe(core.isApbError);
    expect(isApbError(new core.ApbError('x', { code: 'X' }))).toBe(true);
  });
});
