import { Status } from '@courier/transport';
import { atLeast } from './check-option.js';
import type { RetryBudgetOptions } from './retry-budget.js';

/** When and how a client retries calls (see RetryPolicy.retryable for which outcomes). */
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

/** What RetryPolicy needs to know about an attempt's outcome. */
export interface AttemptOutcome {
  readonly status: number;
  /** Decided by this client (deadline, cancel, lost peer) rather than sent by the server. */
  readonly local: boolean;
}

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
   * Whether an attempt that ended with `outcome` may be followed by another,
   * by the rules of docs/protocol.md, "When is a retry safe?":
   *
   * - OVERLOADED or UNAVAILABLE *sent by the server*: it did not run the
   *   call (a server sends them only for calls it did not execute), so any
   *   method may be retried, idempotent or not. This is what carries calls
   *   through a rolling restart: a call that reached a server after it began
   *   draining is refused and sent to another one.
   * - UNAVAILABLE decided *here*: the endpoint was declared dead with the
   *   call in flight, so it may have run; only idempotent methods are retried.
   *   (A request refused locally before it was sent would be safe too, but it
   *   does not arise: a call is only handed to an endpoint that is alive.)
   * - Anything else is final. DEADLINE_EXCEEDED is not retried even for
   *   idempotent methods: the caller's deadline is one budget shared by all
   *   attempts, so once it is spent there is nothing left to retry with.
   */
  retryable(outcome: AttemptOutcome, idempotent: boolean, attempts: number): boolean {
    if (attempts >= this.maxAttempts) return false;
    if (outcome.status !== Status.OVERLOADED && outcome.status !== Status.UNAVAILABLE) return false;
    return !outcome.local || idempotent;
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
