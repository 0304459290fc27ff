import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

/** The shared Vitest config; `overrides` are merged into its `test` section. */
export function apbVitestConfig(overrides?: InlineConfig): UserConfig;
