// The backend facts a run record keeps, from @apb/backend's initBackend.
import { initBackend, type BackendChoice } from '@apb/backend';

/** What the run record keeps of the backend. */
export interface BackendSummary {
  name: string;
  threads: number;
  simd: boolean;
  notes: string[];
  versions: Record<string, string>;
}

/** Picks and prepares the backend (idempotent for equal choices). */
export async function prepareBackend(backend: BackendChoice): Promise<BackendSummary> {
  const info = await initBackend({ backend });
  return { name: info.name, threads: info.threads, simd: info.simd, notes: info.notes, versions: info.versions };
}
