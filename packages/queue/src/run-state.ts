import { tryReadRunRecord, type RunSpec } from '@apb/scenarios';
import { join } from 'node:path';

/**
 * Whether `outDir/<spec.id>/run.json` is complete for this very configuration (the rule local
 * reproductions skip by, so both modes agree on what is done).
 */
export async function isSpecComplete(spec: RunSpec, outDir: string): Promise<boolean> {
  const record = await tryReadRunRecord(join(outDir, spec.id, 'run.json'));
  return record?.status === 'complete' && JSON.stringify(record.config) === JSON.stringify(spec.config);
}

/** Whether the run folder `outDir/<id>` holds a complete run (dependencies are named by id only). */
export async function isRunComplete(id: string, outDir: string): Promise<boolean> {
  const record = await tryReadRunRecord(join(outDir, id, 'run.json'));
  return record?.status === 'complete';
}
