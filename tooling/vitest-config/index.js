// Shared Vitest settings. Tests resolve sibling packages through their public entry, but with the
// "@apb/source" export condition, so a change in one package is tested without rebuilding it.
import { defineConfig } from 'vitest/config';

export function apbVitestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ['@apb/source'] },
    ssr: { resolve: { conditions: ['@apb/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      // TensorFlow.js backends hold global state; one worker per file, two at most on this machine.
      pool: 'forks',
      maxWorkers: 2,
      testTimeout: 60_000,
      passWithNoTests: true,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
