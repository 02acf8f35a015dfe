import { Status } from '@courier/transport';
import { atLeast } from './check-option.js';
import type { RetryBudgetOptions } from './retry-budget.js';

/** When and how a client retries calls of idempotent methods. */
export interface RetryOptions {
  /** Most attempts per call, the first included; 1 turns retries off. @default 3 */
  maxAttempts?: number;
  /** The backoff ceiling before the first retry, in ms; it doubles for each retry after. @default 25 */
  initialBackoffMs?: number;
  /** The most any backoff ceiling grows to, in ms. @default 1000 */
  maxBackoffMs?: number;
  /** Limits retries to a share of the call rate; `false` turns the budget off. @default {} */
  budget?: RetryBudgetOptions | false;
}

/**
 * Retries happen only for methods marked `idempotent`, only after these
 * statuses, and only while the caller's deadline leaves room for the backoff
 * and another attempt. DEADLINE_EXCEEDED is not among them: the caller's
 * deadline is one budget shared by all attempts, so once it is spent there is
 * nothing left to retry with.
 */
const RETRYABLE: ReadonlySet<number> = new Set([Status.UNAVAILABLE, Status.OVERLOADED]);

/** The resolved retry rules of one client. */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #random: () => number;

  constructor(options: RetryOptions, random: () => number) {
    this.maxAttempts = atLeast('retry', 'maxAttempts', options.maxAttempts ?? 3, 1);
    this.#initialBackoffMs = atLeast('retry', 'initialBackoffMs', options.initialBackoffMs ?? 25, 0);
    this.#maxBackoffMs = atLeast(
      'retry',
      'maxBackoffMs',
      options.maxBackoffMs ?? 1000,
      this.#initialBackoffMs,
    );
    this.#random = random;
  }

  /**
   * Whether an attempt that ended with `status` may be followed by another.
   * Non-idempotent methods are never retried once a request was handed to
   * an endpoint: even a local UNAVAILABLE may come from a peer lost after it
   * received the request. (No endpoint is ever handed a request while dead
   * or draining, so "refused before sending" does not arise.)
   */
  retryable(status: number, idempotent: boolean, attempts: number): boolean {
    return idempotent && attempts < this.maxAttempts && RETRYABLE.has(status);
  }

  /**
   * Exponential backoff with full jitter (AWS architecture blog, "Exponential
   * Backoff And Jitter"): uniform in [0, min(max, initial * 2^(n-1))) before
   * retry n, so retries of many callers spread out instead of arriving together.
   */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** (retry - 1));
    return this.#random() * ceiling;
  }
}
