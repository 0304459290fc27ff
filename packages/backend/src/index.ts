export { adam } from './adam.js';
export { ApbError, isApbError, type ApbErrorOptions } from './errors.js';
export { BACKEND_CHOICES, type BackendChoice, type BackendInfo, type InitBackendOptions } from './backend-info.js';
export { initBackend } from './init-backend.js';
export { listBackends, type BackendAvailability } from './list-backends.js';
export { tfjsVersions } from './versions.js';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './wasm-kernels/register-wasm-training-kernels.js';
