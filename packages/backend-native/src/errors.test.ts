import { ApbError, isApbError } from '@apb/core';
import { describe, expect, it } from 'vitest';

import { NativeBackendError } from './errors.js';

describe('NativeBackendError', () => {
  it('is an ApbError with its own name, a code, a suggestion and a cause', () => {
    const cause = new Error('dlopen failed');
    const error = new NativeBackendError('The native backend is unavailable: no addon.', { code: 'NATIVE_ADDON_UNAVAILABLE', suggestion: 'use --backend wasm', cause });
    expect(error).toBeInstanceOf(ApbError);
    expect(isApbError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'NativeBackendError', code: 'NATIVE_ADDON_UNAVAILABLE', suggestion: 'use --backend wasm', cause });
  });
});
