/** Stable codes of MetricsError; listed in this package's README and never reused. */
export type MetricsErrorCode =
  /** The registry already holds Courier metrics: another createMetrics() on it was not closed. */
  | 'ERR_COURIER_METRICS_REGISTERED'
  /** listen() was called after close(). */
  | 'ERR_COURIER_METRICS_CLOSED';

const kMetricsError = Symbol.for('courier.MetricsError');

/** A misuse of @courier/metrics, with a stable `code`. */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string) {
    super(message);
    this.name = 'MetricsError';
    this.code = code;
  }

  /** Branded, so instanceof holds across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kMetricsError] === true
    );
  }

  get [kMetricsError](): true {
    return true;
  }
}
