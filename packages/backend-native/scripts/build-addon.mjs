// Builds the N-API addon with node-gyp at install time. Installation must never fail because of
// it: on any failure this prints one line, records the reason in build/status.json (read by
// registerNativeBackend to explain why 'native' is unavailable) and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageDir, 'build');

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  const file = join(buildDir, 'status.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function fail(reason, log) {
  writeStatus({ ok: false, reason, log: log ? 'build/build.log' : null, at: new Date().toISOString() });
  if (log) {
    writeFileSync(join(buildDir, 'build.log'), log);
  }
  console.log(`@apb/backend-native: native addon not built (${reason}); the 'native' backend will be unavailable.`);
  process.exit(0);
}

if (process.env.APB_NATIVE_SKIP_BUILD === '1') {
  fail('APB_NATIVE_SKIP_BUILD=1');
}

// --if-stale (the package's build script): keep an addon that is newer than every source. Without
// it, `pnpm build` after an edit of native/ kept the old addon, and turbo cached that old addon
// under the new sources' hash.
if (process.argv.includes('--if-stale') && addonIsFresh()) {
  process.exit(0);
}

function addonIsFresh() {
  const addon = join(buildDir, 'Release', 'apb_native.node');
  if (!existsSync(addon)) return false;
  const sources = [join(packageDir, 'binding.gyp'), ...readdirSync(join(packageDir, 'native')).map((name) => join(packageDir, 'native', name))];
  const built = statSync(addon).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs <= built);
}

let nodeGyp;
try {
  nodeGyp = createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail('node-gyp is not installed');
}

// node-gyp downloads Node's headers unless told where local ones are; this machine has no internet
// for that, and distribution packages of Node ship the headers under <prefix>/include/node.
const args = [nodeGyp, 'rebuild', '--release'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}

const result = spawnSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', timeout: 600_000 });
const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
if (result.error) {
  fail(`node-gyp could not run: ${result.error.message}`, log);
}
if (result.status !== 0) {
  const firstError = log.split('\n').find((line) => /(fatal )?error[: ]/i.test(line) && !/^gyp (ERR|info)/.test(line))
    ?? log.split('\n').find((line) => /gyp ERR! stack Error/.test(line))
    ?? `node-gyp exited with ${result.status}`;
  fail(firstError.trim().slice(0, 240), log);
}
writeStatus({ ok: true, reason: null, at: new Date().toISOString() });
console.log('@apb/backend-native: native addon built.');
