import { isOfFamily } from '@courier/errors';

/**
 * What the main thread and the pool's workers say to each other. Kept free of
 * runtime imports but @courier/errors (which has none): the worker loads this
 * file, and must not pull in the transport (and its native ZeroMQ binding)
 * just to run a function.
 */

/** One loadable implementation: a module export, or an N-API addon function. */
export interface Target {
  /** file: URL of the module or `.node` addon. */
  readonly href: string;
  readonly export: string;
  /** Loaded with `require` (process.dlopen) rather than `import()`. */
  readonly native: boolean;
}

/** What the pool hands each worker once, as `workerData`. */
export interface WorkerInit {
  /** Loading starts with the worker, so a first task does not pay for it. Failures wait for the task that needs them. */
  readonly preload: readonly Target[];
  /** Passed to every compute function as its second argument. */
  readonly shared: unknown;
}

export type WorkerTask =
  | {
      readonly kind: 'run';
      readonly target: Target;
      readonly input: unknown;
      /** The task span's W3C traceparent, when the service traces (the worker makes it the active parent). */
      readonly traceparent: string | undefined;
    }
  | { readonly kind: 'probe'; readonly targets: readonly Target[] };

/** The outcome of a `run` task. Errors are returned, not thrown, so nothing is lost to structured clone. */
export type RunOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: WireError };

/** The outcome of a `probe` task: one entry per target, in order. */
export type ProbeOutcome = ReadonlyArray<
  { readonly ok: true } | { readonly ok: false; readonly message: string }
>;

/**
 * An error thrown by a compute function, flattened for the trip across the
 * thread boundary (structured clone keeps only an Error's message and stack).
 */
export interface WireError {
  /** True for a CourierError: its code, message and details reach the caller. */
  readonly courier: boolean;
  readonly code: string | undefined;
  readonly name: string;
  readonly message: string;
  readonly details: unknown;
  readonly stack: string | undefined;
}

/**
 * Flattens anything thrown. CourierErrors are recognised by their brand, so a
 * worker module may import the error classes from any copy of @courier/core.
 */
export function toWireError(err: unknown): WireError {
  if (isOfFamily(err, 'CourierError')) {
    const e = err as { code: string; name: string; message: string; details: unknown; stack?: string };
    return {
      courier: true,
      code: e.code,
      name: e.name,
      message: e.message,
      details: cloneable(e.details),
      stack: e.stack,
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    courier: false,
    code: undefined,
    name: e.name,
    message: e.message,
    details: undefined,
    stack: e.stack,
  };
}

/** Details that cannot cross the thread boundary are dropped rather than failing the reply. */
function cloneable(details: unknown): unknown {
  if (details === undefined) return undefined;
  try {
    structuredClone(details);
    return details;
  } catch {
    return undefined;
  }
}
