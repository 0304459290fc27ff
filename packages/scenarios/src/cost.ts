import { ApbError } from '@apb/core';
import type { RunRecord } from './run-record.js';

/** The paper's cost claim, measured: APB clean-only training against FGSM adversarial training. */
export interface CostRatio {
  /** Training seconds per epoch of the APB run over those of the FGSM run (the paper: 0.59). */
  timeRatio: number;
  /** Forward + backward passes per epoch, same ratio (hardware-independent). */
  passRatio: number;
  apbSecondsPerEpoch: number;
  fgsmSecondsPerEpoch: number;
}

const secondsPerEpoch = (run: RunRecord) => run.history.reduce((sum, entry) => sum + entry.seconds, 0) / run.history.length;

/**
 * Compares the training cost of an APB run trained on clean data with that of an FGSM adversarial
 * training run (one adversarial example per clean one), per epoch so that runs of different
 * lengths compare. Both must be trained on the same data set, backend and batch size.
 */
export function costRatio(apbCleanRun: RunRecord, fgsmAdvRun: RunRecord): CostRatio {
  const bad = (message: string): never => {
    throw new ApbError(`costRatio: ${message}.`, { code: 'BAD_COST_PAIR', suggestion: 'Pass the clean APB run first and the FGSM adversarial run second, trained alike.' });
  };
  if (apbCleanRun.config.model !== 'lenet-apb' || apbCleanRun.config.scenario !== 'clean') bad(`${apbCleanRun.id} is not an APB run trained on clean data`);
  if (fgsmAdvRun.config.scenario === 'clean' || fgsmAdvRun.config.method !== 'standard') bad(`${fgsmAdvRun.id} is not an FGSM adversarial training run`);
  if (apbCleanRun.history.length === 0 || fgsmAdvRun.history.length === 0) bad('a run has no finished epoch');
  if (apbCleanRun.config.dataset !== fgsmAdvRun.config.dataset || apbCleanRun.backend.name !== fgsmAdvRun.backend.name || apbCleanRun.config.batchSize !== fgsmAdvRun.config.batchSize) {
    bad('the runs differ in data set, backend or batch size');
  }
  const apbSecondsPerEpoch = secondsPerEpoch(apbCleanRun);
  const fgsmSecondsPerEpoch = secondsPerEpoch(fgsmAdvRun);
  return {
    timeRatio: apbSecondsPerEpoch / fgsmSecondsPerEpoch,
    passRatio: apbCleanRun.cost.passesPerEpoch / fgsmAdvRun.cost.passesPerEpoch,
    apbSecondsPerEpoch,
    fgsmSecondsPerEpoch,
  };
}
