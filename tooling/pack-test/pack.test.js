// Installability check (design card: "install individual packages, pin versions per consumer"):
// every published package is packed as npm would publish it and installed from the tarballs into
// a scratch project outside the workspace, with no workspace links and no TypeScript sources
// needed at run time. The scratch install resolves third-party packages from the registry, as a
// user's would: CI starts with empty package caches, so an offline install cannot work there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const published = readdirSync(path.join(root, 'packages'))
  .map((dir) => ({ dir: path.join(root, 'packages', dir) }))
  .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(path.join(p.dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private);

let scratch;
function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'apb-pack-'));
  const tarballs = path.join(scratch, 'tarballs');
  mkdirSync(tarballs);
  const files = {};
  for (const p of published) {
    const out = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', tarballs], p.dir));
    files[p.manifest.name] = path.join(tarballs, path.basename(out.filename));
  }
  const project = path.join(scratch, 'project');
  mkdirSync(project);
  const fileDeps = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'apb-consumer', private: true, type: 'module',
    dependencies: {
      ...fileDeps,
      '@tensorflow/tfjs-core': '4.22.0',
      '@tensorflow/tfjs-layers': '4.22.0',
      '@tensorflow/tfjs-backend-cpu': '4.22.0',
      '@tensorflow/tfjs-backend-wasm': '4.22.0',
      typescript: readDevVersion('typescript'),
      '@types/node': readDevVersion('@types/node'),
    },
    // Internal dependencies were written as workspace:* and packed as plain versions that are
    // not on the registry yet: point them at the tarballs.
    pnpm: { overrides: fileDeps },
  }, null, 2));
  run('pnpm', ['install', '--ignore-workspace', '--config.auto-install-peers=false',
    '--config.strict-peer-dependencies=false'], project);
}, 300_000);

afterAll(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

function readDevVersion(name) {
  // The version the workspace installed, so the consumer tests what we test.
  const manifest = createRequire(path.join(root, 'packages/backend/package.json')).resolve(`${name}/package.json`);
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

describe('packed packages', () => {
  it('ship dist and no tests', () => {
    for (const p of published) {
      const listing = JSON.parse(run('pnpm', ['pack', '--dry-run', '--json'], p.dir)).files.map((f) => f.path);
      expect(listing, p.manifest.name).toContain('dist/index.js');
      expect(listing, p.manifest.name).toContain('dist/index.d.ts');
      expect(listing.filter((f) => f.endsWith('.test.ts') || f.endsWith('.test.js')), p.manifest.name).toEqual([]);
    }
  });

  it('install from tarballs and run in a project outside the workspace', () => {
    const project = path.join(scratch, 'project');
    writeFileSync(path.join(project, 'use.mjs'), readFileSync(path.join(import.meta.dirname, 'fixtures/use.mjs'), 'utf8'));
    const out = run('node', ['use.mjs'], project);
    expect(out).toContain('consumer ok');
  });

  it('share the consumer\'s single copy of TensorFlow.js (peer dependencies, as the README shows)', () => {
    const project = path.join(scratch, 'project');
    const fromProject = createRequire(path.join(project, 'package.json'));
    const own = realpathSync(path.dirname(fromProject.resolve('@tensorflow/tfjs-core/package.json')));
    for (const p of published) {
      const manifest = p.manifest;
      const peers = Object.keys(manifest.peerDependencies ?? {});
      if (!peers.includes('@tensorflow/tfjs-core')) continue;
      const packageDir = realpathSync(path.join(project, 'node_modules', manifest.name));
      const seen = realpathSync(path.dirname(createRequire(path.join(packageDir, 'package.json')).resolve('@tensorflow/tfjs-core/package.json')));
      expect(seen, manifest.name).toBe(own);
    }
    const copies = readdirSync(path.join(project, 'node_modules/.pnpm')).filter((entry) => entry.startsWith('@tensorflow+tfjs-core@'));
    expect(copies).toHaveLength(1);
  });

  it('resolve their types in a strict NodeNext TypeScript project', () => {
    const project = path.join(scratch, 'project');
    writeFileSync(path.join(project, 'use.ts'), readFileSync(path.join(import.meta.dirname, 'fixtures/use-types.ts'), 'utf8'));
    // tfjs's own declarations fail skipLibCheck: false (Long, PyJsonValue), so library checks stay
    // off; an import of ours that does not resolve still fails the type check.
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
      files: ['use.ts'],
    }));
    run(path.join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], project);
  });
});
