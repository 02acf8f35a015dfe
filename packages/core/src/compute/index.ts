export type { ComputeFunction } from './compute-function.js';
export { type ComputeLoadFailure, ComputeStartError, type ComputeStartErrorCode } from './errors.js';
export { type NativeComputeOptions, type NativeComputeSpec, nativeCompute } from './native.js';
export {
  type ComputeImplementation,
  type ComputePool,
  type ComputePoolOptions,
  type ComputePoolStats,
  type ComputeRunOptions,
  createComputePool,
} from './pool.js';
export { MIN_TRANSFER_BYTES } from './transfer.js';
