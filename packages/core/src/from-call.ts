const kFromCall = Symbol.for('courier.fromCall');

/**
 * Marks an error a client call failed with, so that a server whose handler
 * lets it escape can tell it from an error the handler threw itself (see
 * Call in server/call.ts: a downstream OVERLOADED or UNAVAILABLE must not be
 * passed on as this server's own "not executed"). A `Symbol.for` brand, so
 * it holds across duplicate installs of the package.
 */
export function markFromCall<T extends object>(err: T): T {
  Object.defineProperty(err, kFromCall, { value: true });
  return err;
}

/** Whether `err` is the failure of a call this process made (see markFromCall). */
export function isFromCall(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kFromCall] === true;
}
