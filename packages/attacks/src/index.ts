export { Attack, projectLinf, misclassified, hitsTarget, type AttackOutput, type AttackRunOptions } from './attack.js';
export { logitsOf, type Classifier } from './classifier.js';
export { crossEntropy, margin, attackLoss, successScore, type AttackLoss } from './losses.js';
export { inputGradient } from './gradient.js';
export { createRng, type Rng } from '@apb/core';
export { LinfFgsm, type LinfFgsmOptions } from './linf-fgsm.js';
export { LinfPgd, type LinfPgdOptions } from './linf-pgd.js';
export { LinfFgsmRandomStart, type LinfFgsmRandomStartOptions } from './linf-fgsm-random-start.js';
export { LinfSquare, squareFraction, type LinfSquareOptions } from './linf-square.js';
export { RandomNoise, type RandomNoiseOptions } from './random-noise.js';
export { Transfer, type TransferOptions } from './transfer.js';
export { createAttack, ATTACK_NAMES, type AttackName } from './create-attack.js';
export { seededSubset, type RobustnessData } from './dataset-view.js';
export {
  evaluateRobustness,
  type EvaluateRobustnessOptions,
  type RobustnessEvaluation,
  type RobustnessProgress,
  type AttackResult,
  type WorstCaseResult,
} from './evaluate-robustness.js';
export {
  collapsedDiagnostic,
  DIAGNOSTIC_FLAGS,
  DIAGNOSTIC_MEANINGS,
  DIAGNOSTIC_THRESHOLDS,
  type Diagnostic,
  type AttackOutcome,
} from './diagnostics.js';
