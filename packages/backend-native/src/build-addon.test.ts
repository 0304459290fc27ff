import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// A copy of the package's build inputs, so a failing build cannot touch the real build/.
const copy = mkdtempSync(join(tmpdir(), 'apb-native-build-'));
for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts']) cpSync(join(packageDir, entry), join(copy, entry), { recursive: true });
symlinkSync(join(packageDir, 'node_modules'), join(copy, 'node_modules'), 'dir');

function install(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['scripts/build-addon.mjs'], { cwd: copy, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  const status = JSON.parse(readFileSync(join(copy, 'build', 'status.json'), 'utf8')) as { ok: boolean; reason: string | null };
  return { code: run.status, stdout: run.stdout.trim(), status };
}

describe('the install-time build script', () => {
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('exits 0 with one line and records the reason when the compiler is missing', () => {
    const result = install({ CXX: '/nonexistent/g++', CC: '/nonexistent/gcc' });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(result.stdout).toContain("native addon not built");
    expect(result.status.ok).toBe(false);
    expect(result.status.reason).toContain('/nonexistent/');
  });

  it('skips the build when APB_NATIVE_SKIP_BUILD=1, still exiting 0', () => {
    const result = install({ APB_NATIVE_SKIP_BUILD: '1' });
    expect(result.code).toBe(0);
    expect(result.status).toMatchObject({ ok: false, reason: 'APB_NATIVE_SKIP_BUILD=1' });
  });
});
