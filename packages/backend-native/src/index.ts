export {
  NATIVE_BACKEND_NAME, nativeBackendUnavailableReason, registerNativeBackend,
  type NativeBackendInfo, type NativeBackendOptions,
} from './register-native-backend.js';
export { NativeBackendError } from './errors.js';
export { FusedAdamOptimizer, fusedAdam } from './fused-adam.js';
export { pytorchLenetScriptPath } from './pytorch-script.js';
export { version } from './version.js';
