/** Errors the transport throws at its callers (never for bad input from the network). */
export type TransportErrorCode =
  | 'ERR_COURIER_SOCKET_CLOSED'
  | 'ERR_COURIER_BIND_FAILED'
  | 'ERR_COURIER_INVALID_ENDPOINT';

const kTransportError = Symbol.for('courier.TransportError');

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
  /** Branded, so instanceof holds across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kTransportError] === true
    );
  }
  get [kTransportError](): true {
    return true;
  }
}
