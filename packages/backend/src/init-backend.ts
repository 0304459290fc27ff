import { BACKEND_CHOICES, type BackendChoice, type BackendInfo, type InitBackendOptions } from './backend-info.js';
import { backendLoaders, type BackendLoader } from './backend-loaders.js';
import { ApbError } from './errors.js';
import { firstLine } from './optional-import.js';
import { tfjsVersions } from './versions.js';

let last: { key: string; info: Promise<BackendInfo> } | undefined;

function validate(options: InitBackendOptions): { backend: BackendChoice; threads: number | undefined } {
  const backend = options.backend ?? 'auto';
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new ApbError(`Unknown backend '${String(backend)}'.`, {
      code: 'BACKEND_UNKNOWN',
      suggestion: `Choose one of: ${BACKEND_CHOICES.join(', ')}.`,
    });
  }
  // APB_THREADS lets a parent process (e.g. `apb reproduce --jobs N`) share the cores among workers.
  const fromEnv = process.env.APB_THREADS;
  const threads = options.threads ?? (fromEnv === undefined || fromEnv === '' ? undefined : Number(fromEnv));
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new ApbError(`Option 'threads' (or APB_THREADS) must be a whole number >= 1, got ${String(threads)}.`, {
      code: 'INVALID_OPTION',
      suggestion: "Pass e.g. threads: 2, or leave 'threads' out to let the backend decide.",
    });
  }
  return { backend, threads };
}

async function resolve(backend: BackendChoice, threads: number | undefined): Promise<BackendInfo> {
  const notes: string[] = [];
  const candidates = backend === 'auto' ? backendLoaders : backendLoaders.filter((loader) => loader.choice === backend);
  for (const loader of candidates) {
    try {
      const activated = await loader.activate(threads);
      return {
        name: activated.name,
        requested: backend,
        threads: activated.threads,
        simd: activated.simd,
        notes: [...notes, ...activated.notes],
        versions: { ...tfjsVersions(), ...activated.versions },
        addedKernels: activated.addedKernels,
      };
    } catch (error) {
      if (backend !== 'auto') throw unavailable(loader, error);
      notes.push(`${loader.choice}: ${firstLine(error)}`);
    }
  }
  // cpu is always last and always loads; reaching here means even it failed.
  throw new ApbError(`No TensorFlow.js backend could be initialised (${notes.join('; ')}).`, {
    code: 'BACKEND_UNAVAILABLE',
    suggestion: 'Install @tensorflow/tfjs-backend-cpu and @tensorflow/tfjs-backend-wasm 4.22.0 next to @apb/backend.',
  });
}

function unavailable(loader: BackendLoader, error: unknown): ApbError {
  const install =
    loader.choice === 'native'
      ? 'Install @apb/backend-native (it builds a native addon), or use --backend auto.'
      : loader.choice === 'tensorflow' || loader.choice === 'tensorflow-gpu'
        ? `Install ${loader.packageName}@4.22.0 (its install script downloads libtensorflow; see @apb/backend's README for a local copy), or use --backend auto.`
        : `Install ${loader.packageName}@4.22.0, or use --backend auto.`;
  return new ApbError(`Backend '${loader.choice}' is not available: ${firstLine(error)}.`, {
    code: 'BACKEND_UNAVAILABLE',
    suggestion: install,
    cause: error,
  });
}

/**
 * Makes a TensorFlow.js backend ready and reports what it chose. With `auto` (the default) it takes
 * the first that loads of `native`, `tensorflow-gpu`, `tensorflow`, `wasm`, `cpu`, noting why each
 * skipped one was skipped. For `wasm` it first registers the training kernels wasm lacks.
 *
 * Calling it again with the same options returns the same answer without re-initialising.
 *
 * @throws ApbError `BACKEND_UNAVAILABLE` when an explicitly chosen backend cannot load (the
 *   suggestion names the package to install), `BACKEND_UNKNOWN` or `INVALID_OPTION` for bad options.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const { backend, threads } = validate(options);
  const key = `${backend}/${threads ?? ''}`;
  if (last?.key !== key) {
    const info = resolve(backend, threads);
    last = { key, info };
    // A failed attempt must not be remembered, or a retry after installing the package would fail too.
    info.catch(() => {
      if (last?.info === info) last = undefined;
    });
  }
  const info = await last.info;
  return { ...info, notes: [...info.notes], versions: { ...info.versions }, addedKernels: [...info.addedKernels] };
}
