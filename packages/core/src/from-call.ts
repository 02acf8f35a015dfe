const kFromCall = Symbol.for('courier.fromCall');
const kCallInfo = Symbol.for('courier.callInfo');

/** Where and how a client call failed; read with `callInfo(err)`. */
export interface CallInfo {
  /** This process's id of the call, as in the call-end diagnostics event. */
  readonly callId: number;
  /** The endpoint of the last attempt; undefined when none was tried. */
  readonly endpoint: string | undefined;
  /**
   * True when this client decided the outcome (deadline, cancel, lost or no
   * endpoint) rather than a server sending it. A server-sent UNAVAILABLE or
   * OVERLOADED means the call did not run; a local UNAVAILABLE after an
   * attempt means it may have.
   */
  readonly local: boolean;
  /** Attempts sent, retries included. */
  readonly attempts: number;
}

/**
 * Marks an error a client call failed with, so that a server whose handler
 * lets it escape can tell it from an error the handler threw itself (see
 * Call in server/call.ts: a downstream OVERLOADED or UNAVAILABLE must not be
 * passed on as this server's own "not executed"). A `Symbol.for` brand, so
 * it holds across duplicate installs of the package.
 */
export function markFromCall<T extends object>(err: T, info?: CallInfo): T {
  Object.defineProperty(err, kFromCall, { value: true });
  if (info !== undefined) Object.defineProperty(err, kCallInfo, { value: info });
  return err;
}

/** The endpoint, call id and origin of a client call's error; undefined for any other value. */
export function callInfo(err: unknown): CallInfo | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as Record<symbol, CallInfo | undefined>)[kCallInfo];
}

/** Whether `err` is the failure of a call this process made (see markFromCall). */
export function isFromCall(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kFromCall] === true;
}
