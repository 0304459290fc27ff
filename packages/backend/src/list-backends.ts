import type { BackendChoice } from './backend-info.js';
import { backendLoaders } from './backend-loaders.js';

/** Whether one backend can be used here, from {@link listBackends}. */
export interface BackendAvailability {
  backend: Exclude<BackendChoice, 'auto'>;
  /** The package that provides it. */
  packageName: string;
  available: boolean;
  /** Why it is not available (one line); absent when it is. */
  reason?: string;
}

/**
 * Reports which backends can load here, in the order `auto` tries them, without changing the active
 * backend. Loading `@tensorflow/tfjs-node(-gpu)` or `@apb/backend-native` to find out registers their
 * backends as a side effect, as importing them would.
 */
export async function listBackends(): Promise<BackendAvailability[]> {
  const result: BackendAvailability[] = [];
  for (const loader of backendLoaders) {
    const reason = await loader.probe();
    result.push(
      reason === null
        ? { backend: loader.choice, packageName: loader.packageName, available: true }
        : { backend: loader.choice, packageName: loader.packageName, available: false, reason },
    );
  }
  return result;
}
