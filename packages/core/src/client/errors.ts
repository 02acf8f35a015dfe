/** Codes of ClientConfigError; stable, never reused. */
export type ClientConfigErrorCode =
  /** An option is missing, conflicting or out of range. */
  | 'ERR_COURIER_CLIENT_OPTIONS'
  /** A service definition has a method whose name the client API uses (`withDefaults`). */
  | 'ERR_COURIER_CLIENT_RESERVED_METHOD';

const kClientConfigError = Symbol.for('courier.ClientConfigError');

/** A client was created with invalid options; thrown by createClient, never by a call. */
export class ClientConfigError extends Error {
  readonly code: ClientConfigErrorCode;
  constructor(code: ClientConfigErrorCode, message: string) {
    super(message);
    this.name = 'ClientConfigError';
    this.code = code;
  }
  /** Branded, so instanceof holds across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kClientConfigError] === true
    );
  }
  get [kClientConfigError](): true {
    return true;
  }
}
