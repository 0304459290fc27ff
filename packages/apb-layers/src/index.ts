export { APB_DEFAULTS, defaultMemoryClip, type ApbDirection, type ApbMemoryStep, type ApbMode, type ApbSpec, type ApbUpdateOptions } from './apb-options.js';
export { DenseApb, denseApb, type ApbActivation, type DenseApbArgs, type Initializer, type InitializerConfig, type LayerArgs } from './dense-apb.js';
export { foldApb } from './fold.js';
export { lenet, type LenetFcLayer, type LenetOptions } from './lenet.js';
export { parameterCount, type ParameterCount } from './parameter-count.js';
export { softmaxCrossEntropyLoss, trainStep, trainStepWithHits, type TrainStepResult } from './train-step.js';
export { loadModel, MODEL_FILES, readModelArtifacts, saveModel } from './model-io.js';
