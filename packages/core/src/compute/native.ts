import type { ComputeSpec } from '../definition.js';
import { DefinitionError } from '../errors.js';

/** Options of {@link nativeCompute}. */
export interface NativeComputeOptions {
  /**
   * The compiled addon, e.g.
   * `new URL('../build/Release/recommend.node', import.meta.url)`. It is
   * loaded inside each worker (node-addon-api addons are context-aware, so
   * one process can load it in many threads).
   */
  readonly addon: URL | string;
  /** The addon's exported function to call as `fn(input, shared)`. */
  readonly export: string;
  /**
   * A JavaScript implementation used when the addon cannot be loaded. Without
   * one, a missing or broken addon stops the service from starting.
   */
  readonly fallback?: ComputeSpec;
  /**
   * The command that builds the addon, named in the start-up error.
   * @default `npx node-gyp rebuild` in the directory holding binding.gyp
   */
  readonly build?: string;
}

/** A ComputeSpec whose implementation is a function of an N-API addon. */
export interface NativeComputeSpec extends ComputeSpec {
  readonly module: URL | string;
  readonly export: string;
  readonly native: true;
  readonly fallback: ComputeSpec | undefined;
  readonly build: string | undefined;
}

/**
 * Implements a compute method with a function of a native (N-API) addon, run
 * in the service's worker pool like any other compute method: input is
 * validated on the main thread, the call carries the request's deadline and
 * cancellation, and errors reach the caller typed.
 *
 * The function receives the parsed input and the pool's `shared` data, and
 * returns the output (plain values, typed arrays, objects of those). Large
 * typed arrays in either direction are moved, not copied.
 *
 * When the addon is missing or fails to load, the service refuses to start
 * with an error naming the addon and the command that builds it, unless a
 * `fallback` is declared, in which case the fallback runs and a warning is
 * emitted once.
 *
 * @example
 * const similarNative = method({
 *   input: Query,
 *   output: Matches,
 *   compute: nativeCompute({
 *     addon: new URL('../build/Release/recommend.node', import.meta.url),
 *     export: 'topK',
 *     fallback: { module: new URL('./similar.worker.js', import.meta.url), export: 'similar' },
 *   }),
 * });
 */
export function nativeCompute(options: NativeComputeOptions): NativeComputeSpec {
  if (typeof options.export !== 'string' || options.export === '') {
    throw new DefinitionError(
      'ERR_COURIER_METHOD_COMPUTE',
      'nativeCompute needs the name of the addon function to call (`export`)',
    );
  }
  return {
    module: options.addon,
    export: options.export,
    native: true,
    fallback: options.fallback,
    build: options.build,
  };
}

/** Whether a compute spec names a native addon (made by nativeCompute, or a `.node` module). */
export function isNative(spec: ComputeSpec): boolean {
  return (spec as Partial<NativeComputeSpec>).native === true || /\.node$/i.test(String(spec.module));
}
