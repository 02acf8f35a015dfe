/** Errors about keys and security settings, thrown at start-up (never for network input). */
export type SecurityErrorCode =
  /** A key is not 40 characters of Z85 (32 bytes), or a key pair does not match. */
  | 'ERR_COURIER_INVALID_KEY'
  /** A key file or environment variable could not be read or parsed. */
  | 'ERR_COURIER_KEY_LOAD_FAILED'
  /** The process-wide ZAP handler could not start (another one holds inproc://zeromq.zap.01). */
  | 'ERR_COURIER_ZAP_UNAVAILABLE';

const kSecurityError = Symbol.for('courier.SecurityError');

export class SecurityError extends Error {
  readonly code: SecurityErrorCode;
  constructor(code: SecurityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecurityError';
    this.code = code;
  }
  /** Branded, so instanceof holds across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kSecurityError] === true
    );
  }
  get [kSecurityError](): true {
    return true;
  }
}
