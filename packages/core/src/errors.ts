import { Status, type StatusName, statusName } from '@courier/transport';

/**
 * Courier's typed errors: one class per reply status, each with a stable
 * `code` (the status name). A handler throws them; the caller receives the
 * same class. Codes are listed in docs/errors.md and never reused.
 */
export type ErrorCode = Exclude<StatusName, 'OK'>;

const kCourierError = Symbol.for('courier.CourierError');

export interface CourierErrorOptions extends ErrorOptions {
  /** Structured, serialisable details sent to the caller (e.g. validation issues). */
  details?: unknown;
}

export class CourierError extends Error {
  readonly code: ErrorCode;
  readonly status: Status;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: CourierErrorOptions = {}) {
    super(message, options);
    this.name = 'CourierError';
    this.code = code;
    this.status = Status[code];
    this.details = options.details;
  }

  /** Whether a call that failed with this error may be retried (for idempotent methods). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** Branded, so instanceof holds across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (
      typeof value !== 'object' ||
      value === null ||
      (value as Record<symbol, unknown>)[kCourierError] !== true
    ) {
      return false;
    }
    // Subclasses keep their own identity: BadRequestError matches only BAD_REQUEST.
    // `this` is the class on the right of instanceof, which is the point here.
    // biome-ignore lint/complexity/noThisInStatic: see above
    const code = (this as unknown as { CODE?: ErrorCode }).CODE;
    return code === undefined || (value as CourierError).code === code;
  }

  get [kCourierError](): true {
    return true;
  }
}

/** Codes for which a retry (of an idempotent method) can succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'OVERLOADED', 'DEADLINE_EXCEEDED']);

function errorClass<const C extends ErrorCode>(code: C, name: string) {
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
