export {
  EVALUATION_ATTACKS,
  datasetNameForFolder,
  evaluationPlanSchema,
  recordedTrainConfigSchema,
  resolveTrainConfig,
  runIdFor,
  trainConfigSchema,
  type EvaluationAttack,
  type EvaluationPlan,
  type TrainConfig,
  type TrainConfigInput,
} from './train-config.js';
export {
  RUN_SCHEMA_VERSION,
  runRecordSchema,
  validateRunRecord,
  type CheckpointEvaluation,
  type CostRecord,
  type EvaluationRecord,
  type HistoryEntry,
  type RunRecord,
  type RunStatus,
} from './run-record.js';
export { readRunRecord, tryReadRunRecord, writeRunRecord } from './run-record-io.js';
export {
  LEGACY_APB_MODEL,
  modelArchitecture,
  modelDefinition,
  registerModel,
  registeredModelNames,
  unregisterModel,
  type ModelBuildOptions,
  type ModelDefinition,
} from './model-registry.js';
export {
  BUILT_IN_ATTACKS,
  evaluationAttackDefinition,
  evaluationAttackFamily,
  evaluationAttackNames,
  needsTransferSource,
  registerEvaluationAttack,
  unregisterEvaluationAttack,
  type EvaluationAttackContext,
  type EvaluationAttackDefinition,
  type EvaluationBudgets,
} from './evaluation-attacks.js';
export { trainRun, type TrainProgress, type TrainRunOptions } from './train-run.js';
export { attacksForPlan, evaluateModel, type EvaluateModelOptions } from './evaluate-model.js';
export { evaluateRun, type EvaluateRunOptions } from './evaluate-run.js';
export { executeSpec } from './execute-spec.js';
export { costRatio, type CostRatio } from './cost.js';
export { checkDataFitsModel, modelDataShape, type DataShape } from './data-fit.js';
export { ensureWritableDirectory } from './output-location.js';
export {
  LEASE_FILE,
  RUN_HELD,
  acquireRunLease,
  currentLeaseHolder,
  isRunHeldError,
  isStaleLease,
  type LeaseHolder,
  type RunLease,
} from './run-lease.js';
export { readSourceModel, sourceConfigFor, sourceDirectoryFor, sourceFolderName, type SourceKind } from './sources.js';
export { ensureSourceTrained, type EnsureSourceOptions } from './source-training.js';
export {
  FIGURE_3A_EPS,
  FIGURE_3B_MEMORIES,
  MASKING_APB_EPS,
  MASKING_ATTACKS,
  MASKING_CHECKPOINTS,
  PAPER_DATASETS,
  PAPER_SCENARIOS,
  PGD_AT_EPS_RAMP,
  PRESETS,
  planReproduction,
  type Figure,
  type PlanOptions,
  type Preset,
  type RunSpec,
} from './plan.js';
export {
  runReproduction,
  writeReproductionRecord,
  type ReproductionOptions,
  type ReproductionProgress,
  type ReproductionSummary,
  type SpecOutcome,
} from './run-reproduction.js';
export { machineInfo, packageVersions, type MachineInfo } from './environment.js';
export {
  measureTrainingCost,
  type MeasuredEpoch,
  type MeasureTrainingCostOptions,
  type TrainingCost,
} from './measure-training-cost.js';
export { interruptSignal, type InterruptSignal } from './interrupt-signal.js';
export {
  estimateReproduction,
  evaluationKey,
  measureUnitCosts,
  trainingKindOf,
  type MeasureUnitCostsOptions,
  type ReproductionEstimate,
  type SpecEstimate,
  type UnitCosts,
} from './estimate-cost.js';
export { apbDeltaSizes, checkpointEpochs, softmaxSaturation } from './checkpoint-evaluation.js';
