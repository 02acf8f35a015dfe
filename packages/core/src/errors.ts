import { CodedError, type CodedErrorOptions, type ErrorCodeInfo, isOfFamily } from '@courier/errors';
import { Status, type StatusName, statusName } from '@courier/transport';

/**
 * The registry of every error @courier/core throws, each a CodedError with a
 * stable code (docs/errors.md lists them; a test keeps the two in step).
 *
 * - Call errors travel on the wire: one CourierError subclass per reply
 *   status, with the status name as its code. A handler throws them; the
 *   caller receives the same class.
 * - Programming errors are thrown locally at definition or start-up time, with
 *   an `ERR_COURIER_*` code, and never travel.
 */

// ---------------------------------------------------------------- call errors

export type ErrorCode = Exclude<StatusName, 'OK'>;

export type CourierErrorOptions = CodedErrorOptions;

/** Codes for which a retry (of an idempotent method) can succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'OVERLOADED', 'DEADLINE_EXCEEDED']);

export class CourierError extends CodedError<ErrorCode> {
  static override readonly family = 'CourierError';
  /** The reply status this error is sent as. */
  readonly status: Status;

  constructor(code: ErrorCode, message: string, options: CourierErrorOptions = {}) {
    super(code, message, options);
    this.status = Status[code];
  }

  /** Whether a call that failed with this error may be retried (for idempotent methods). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /**
   * The family brand, and for a per-status class its code: a CourierError
   * made with code BAD_REQUEST is a BadRequestError wherever it came from.
   */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    if (!isOfFamily(value, CourierError.family)) return false;
    // `this` is the class on the right of instanceof, which is the point here.
    // biome-ignore lint/complexity/noThisInStatic: see above
    const code = (this as unknown as { CODE?: ErrorCode }).CODE;
    return code === undefined || (value as CourierError).code === code;
  }
}

/** A per-status class: `new BadRequestError(message, options)`, its `CODE`, and `instanceof`. */
export interface CourierErrorClass<C extends ErrorCode> {
  new (message: string, options?: CourierErrorOptions): CourierError & { readonly code: C };
  readonly CODE: C;
}

function errorClass<const C extends ErrorCode>(code: C, name: string): CourierErrorClass<C> {
  const cls = class extends CourierError {
    static readonly CODE: C = code;
    declare readonly code: C;
    constructor(message: string, options?: CourierErrorOptions) {
      super(code, message, options);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** The input failed validation, or the request was malformed. */
export const BadRequestError = errorClass('BAD_REQUEST', 'BadRequestError');
export type BadRequestError = InstanceType<typeof BadRequestError>;
/** The caller is not allowed to call this method: refused before the handler ran. */
export const PermissionDeniedError = errorClass('PERMISSION_DENIED', 'PermissionDeniedError');
export type PermissionDeniedError = InstanceType<typeof PermissionDeniedError>;
/** Unknown service or method, or a resource the handler could not find. */
export const NotFoundError = errorClass('NOT_FOUND', 'NotFoundError');
export type NotFoundError = InstanceType<typeof NotFoundError>;
/** The request or reply exceeded a size limit. */
export const TooLargeError = errorClass('TOO_LARGE', 'TooLargeError');
export type TooLargeError = InstanceType<typeof TooLargeError>;
/** The server shed the request: its queue was full. Not executed. */
export const OverloadedError = errorClass('OVERLOADED', 'OverloadedError');
export type OverloadedError = InstanceType<typeof OverloadedError>;
/** The caller cancelled the call. */
export const CancelledError = errorClass('CANCELLED', 'CancelledError');
export type CancelledError = InstanceType<typeof CancelledError>;
/** An unexpected failure in the handler; details stay in the server's log. */
export const InternalError = errorClass('INTERNAL', 'InternalError');
export type InternalError = InstanceType<typeof InternalError>;
/** The peer does not support this protocol version or command. */
export const UnsupportedError = errorClass('UNSUPPORTED', 'UnsupportedError');
export type UnsupportedError = InstanceType<typeof UnsupportedError>;
/** No live endpoint could take the call (dead, draining or closing). */
export const UnavailableError = errorClass('UNAVAILABLE', 'UnavailableError');
export type UnavailableError = InstanceType<typeof UnavailableError>;
/** The deadline passed before a reply. */
export const DeadlineExceededError = errorClass('DEADLINE_EXCEEDED', 'DeadlineExceededError');
export type DeadlineExceededError = InstanceType<typeof DeadlineExceededError>;

const CLASSES = {
  BAD_REQUEST: BadRequestError,
  PERMISSION_DENIED: PermissionDeniedError,
  NOT_FOUND: NotFoundError,
  TOO_LARGE: TooLargeError,
  OVERLOADED: OverloadedError,
  CANCELLED: CancelledError,
  INTERNAL: InternalError,
  UNSUPPORTED: UnsupportedError,
  UNAVAILABLE: UnavailableError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
} as const satisfies Record<ErrorCode, new (message: string, options?: CourierErrorOptions) => CourierError>;

/**
 * The typed error for a reply status. An unknown status becomes INTERNAL,
 * with the original code kept in details.
 */
export function errorFromStatus(status: number, message: string | undefined, details: unknown): CourierError {
  const name = statusName(status);
  if (name === undefined || name === 'OK') {
    return new InternalError(message ?? `unknown status ${status}`, { details: { status, details } });
  }
  return new CLASSES[name](message ?? name, { details });
}

/** Anything thrown, as a CourierError: typed errors pass through, the rest is INTERNAL. */
export function toCourierError(err: unknown): CourierError {
  if (err instanceof CourierError) return err;
  return new InternalError('internal error', { cause: err });
}

// --------------------------------------------------------- programming errors

/** Codes of DefinitionError; stable, never reused. */
export type DefinitionErrorCode =
  /** A method needs exactly one of `handler` or `compute`. */
  | 'ERR_COURIER_METHOD_IMPL'
  /** `input` is not a Standard Schema. */
  | 'ERR_COURIER_METHOD_SCHEMA'
  /** A compute spec misses what it needs (`nativeCompute` without `export`). */
  | 'ERR_COURIER_METHOD_COMPUTE'
  /** The service name is not lower-case letters, digits and dashes starting with a letter. */
  | 'ERR_COURIER_SERVICE_NAME'
  /** The version is not a positive integer. */
  | 'ERR_COURIER_SERVICE_VERSION'
  /** A method or event name is invalid or reserved (`_*`, `withDefaults`, `then`). */
  | 'ERR_COURIER_MEMBER_NAME';

/** A service or method definition is invalid; thrown at definition time, never at call time. */
export class DefinitionError extends CodedError<DefinitionErrorCode> {
  static override readonly family = 'DefinitionError';
}

/** Codes of ClientConfigError; stable, never reused. */
export type ClientConfigErrorCode =
  /** An option is missing, conflicting or out of range. */
  'ERR_COURIER_CLIENT_OPTIONS';

/** A client was created with invalid options; thrown by createClient, never by a call. */
export class ClientConfigError extends CodedError<ClientConfigErrorCode> {
  static override readonly family = 'ClientConfigError';
}

/** Codes of ServerConfigError; stable, never reused. */
export type ServerConfigErrorCode =
  /** An option of serve() or of the compute pool is missing, invalid or out of range. */
  'ERR_COURIER_SERVER_OPTIONS';

/** A server or compute pool was given invalid options; thrown by serve() and createComputePool(). */
export class ServerConfigError extends CodedError<ServerConfigErrorCode> {
  static override readonly family = 'ServerConfigError';
}

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
export class ComputeStartError extends CodedError<ComputeStartErrorCode> {
  static override readonly family = 'ComputeStartError';
  readonly service: string;
  readonly failures: readonly ComputeLoadFailure[];

  constructor(
    code: ComputeStartErrorCode,
    service: string,
    message: string,
    failures: readonly ComputeLoadFailure[] = [],
    options?: ErrorOptions,
  ) {
    super(code, message, options);
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

// ------------------------------------------------------------------ registry

/** Codes carried in a call error's `details.code`, naming why a local failure happened. */
type DetailCode = 'ERR_COURIER_THROTTLED';

type ProgrammingCode =
  | DetailCode
  | DefinitionErrorCode
  | ClientConfigErrorCode
  | ServerConfigErrorCode
  | ComputeStartErrorCode;

/**
 * Every code this package throws, with its class (and status, for call
 * errors): what docs/errors.md is tested against. `satisfies` makes a code
 * added to a union above without a row here a compile error.
 */
export const errorCodes = {
  BAD_REQUEST: { class: 'BadRequestError', status: Status.BAD_REQUEST },
  PERMISSION_DENIED: { class: 'PermissionDeniedError', status: Status.PERMISSION_DENIED },
  NOT_FOUND: { class: 'NotFoundError', status: Status.NOT_FOUND },
  TOO_LARGE: { class: 'TooLargeError', status: Status.TOO_LARGE },
  OVERLOADED: { class: 'OverloadedError', status: Status.OVERLOADED },
  CANCELLED: { class: 'CancelledError', status: Status.CANCELLED },
  INTERNAL: { class: 'InternalError', status: Status.INTERNAL },
  UNSUPPORTED: { class: 'UnsupportedError', status: Status.UNSUPPORTED },
  UNAVAILABLE: { class: 'UnavailableError', status: Status.UNAVAILABLE },
  DEADLINE_EXCEEDED: { class: 'DeadlineExceededError', status: Status.DEADLINE_EXCEEDED },
  ERR_COURIER_THROTTLED: { class: 'OverloadedError' },
  ERR_COURIER_METHOD_IMPL: { class: 'DefinitionError' },
  ERR_COURIER_METHOD_SCHEMA: { class: 'DefinitionError' },
  ERR_COURIER_METHOD_COMPUTE: { class: 'DefinitionError' },
  ERR_COURIER_SERVICE_NAME: { class: 'DefinitionError' },
  ERR_COURIER_SERVICE_VERSION: { class: 'DefinitionError' },
  ERR_COURIER_MEMBER_NAME: { class: 'DefinitionError' },
  ERR_COURIER_CLIENT_OPTIONS: { class: 'ClientConfigError' },
  ERR_COURIER_SERVER_OPTIONS: { class: 'ServerConfigError' },
  ERR_COURIER_COMPUTE_SPEC: { class: 'ComputeStartError' },
  ERR_COURIER_COMPUTE_LOAD: { class: 'ComputeStartError' },
  ERR_COURIER_COMPUTE_WORKER: { class: 'ComputeStartError' },
} as const satisfies Record<ErrorCode | ProgrammingCode, ErrorCodeInfo>;
