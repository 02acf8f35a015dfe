/** Codes of {@link ComputeStartError}. */
export type ComputeStartErrorCode =
  /** A compute spec is malformed (e.g. a relative module path). */
  | 'ERR_COURIER_COMPUTE_SPEC'
  /** A compute module, export or native addon did not load in a worker. */
  | 'ERR_COURIER_COMPUTE_LOAD'
  /** The pool's worker threads could not start at all. */
  | 'ERR_COURIER_COMPUTE_WORKER';

/** One compute implementation that failed to load. */
export interface ComputeLoadFailure {
  readonly method: string;
  /** Path of the module or addon. */
  readonly path: string;
  readonly export: string;
  readonly native: boolean;
  /** Why it failed, as the loader said. */
  readonly reason: string;
  /** For an addon: the command that builds it. */
  readonly build: string | undefined;
}

/**
 * The compute pool, and so the service, refused to start: a compute method's
 * implementation could not be loaded. Thrown by createComputePool (and
 * serve()); never at call time.
 */
export class ComputeStartError extends Error {
  readonly code: ComputeStartErrorCode;
  readonly service: string;
  readonly failures: readonly ComputeLoadFailure[];

  constructor(
    code: ComputeStartErrorCode,
    service: string,
    message: string,
    failures: readonly ComputeLoadFailure[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ComputeStartError';
    this.code = code;
    this.service = service;
    this.failures = failures;
  }

  /** Builds the error for failed loads, one line per failure. */
  static fromFailures(service: string, failures: readonly ComputeLoadFailure[]): ComputeStartError {
    const lines = failures.map((f) =>
      f.native
        ? `- ${service}.${f.method}: native addon ${f.path} (function "${f.export}") failed to load: ${f.reason}. Build it with: ${f.build}`
        : `- ${service}.${f.method}: ${f.path} (export "${f.export}") failed to load: ${f.reason}`,
    );
    return new ComputeStartError(
      'ERR_COURIER_COMPUTE_LOAD',
      service,
      `service ${service} cannot start: compute implementations failed to load\n${lines.join('\n')}`,
      failures,
    );
  }
}
