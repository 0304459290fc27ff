/**
 * The BullMQ job id of a run: the run id with `%`, `/` and `:` percent-encoded (BullMQ refuses `:`
 * in custom ids, and source runs have `/`). Reversible, so `apb status` can show run ids.
 */
export function jobIdFor(runId: string): string {
  return runId.replace(/[%/:]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The run id a {@link jobIdFor} job id encodes. */
export function runIdFromJobId(jobId: string): string {
  return decodeURIComponent(jobId);
}
