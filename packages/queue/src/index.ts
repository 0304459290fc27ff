export { assertQueueReachable, DEFAULT_QUEUE_NAME, parseQueueUrl } from './queue-url.js';
export { jobIdFor, runIdFromJobId } from './job-id.js';
export type { RunJobData, RunJobResult } from './job-data.js';
export { DETERMINISTIC_CODES, isDeterministicFailure } from './deterministic-errors.js';
export { isRunComplete, isSpecComplete } from './run-state.js';
export { enqueueReproduction, type EnqueueOptions, type EnqueueResult } from './enqueue.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './queue-worker.js';
export { queueStatus, type QueuedRun, type QueueStatus } from './queue-status.js';
export { redactQueueUrl, runQueuedReproduction, type QueuedProgress, type QueuedReproductionOptions } from './queued-reproduction.js';
