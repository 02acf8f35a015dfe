import { CodedError, type ErrorCodeInfo } from '@courier/errors';

/** Stable codes of MetricsError; listed in docs/errors.md and never reused. */
export type MetricsErrorCode =
  /** The registry already holds Courier metrics: another createMetrics() on it was not closed. */
  | 'ERR_COURIER_METRICS_REGISTERED'
  /** listen() was called after close(). */
  | 'ERR_COURIER_METRICS_CLOSED'
  /** An option of createMetrics() is out of range (e.g. `maxLabelValues`). */
  | 'ERR_COURIER_METRICS_OPTIONS';

/** A misuse of @courier/metrics, with a stable `code`. The one error class this package throws. */
export class MetricsError extends CodedError<MetricsErrorCode> {
  static override readonly family = 'MetricsError';
}

/** Every code this package throws (see the registry in @courier/core's errors.ts). */
export const errorCodes = {
  ERR_COURIER_METRICS_REGISTERED: { class: 'MetricsError' },
  ERR_COURIER_METRICS_CLOSED: { class: 'MetricsError' },
  ERR_COURIER_METRICS_OPTIONS: { class: 'MetricsError' },
} as const satisfies Record<MetricsErrorCode, ErrorCodeInfo>;
