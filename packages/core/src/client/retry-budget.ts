import { atLeast } from './check-option.js';
/** Limits how much retries may add to a client's request rate. */
export interface RetryBudgetOptions {
  /**
   * Retries earned per call: 0.2 lets retries add at most 20% to the rate of
   * calls, however many attempts each call allows. @default 0.2
   */
  ratio?: number;
  /**
   * Retries allowed per second whatever the ratio, so a client that makes few
   * calls can still retry. @default 10
   */
  minRetriesPerSecond?: number;
  /** Most retries earned by `ratio` and kept for later; bounds a burst after a quiet spell. @default 100 */
  maxTokens?: number;
}

/**
 * A token bucket in the manner of Finagle's RetryBudget and gRPC's retry
 * throttling: every call deposits `ratio` of a token, every retry withdraws a
 * whole one. A second bucket refills at `minRetriesPerSecond` (capped at one
 * second's worth) and is spent first. When an endpoint fails, the budget
 * stops a retry storm from multiplying the load on those still standing.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  readonly #maxTokens: number;
  readonly #now: () => number;
  #earned = 0;
  #reserve: number;
  #refilledAt: number;

  constructor(options: RetryBudgetOptions, now: () => number) {
    this.#ratio = atLeast('retry budget', 'ratio', options.ratio ?? 0.2, 0);
    this.#minPerSecond = atLeast('retry budget', 'minRetriesPerSecond', options.minRetriesPerSecond ?? 10, 0);
    this.#maxTokens = atLeast('retry budget', 'maxTokens', options.maxTokens ?? 100, 0);
    this.#now = now;
    this.#reserve = this.#minPerSecond;
    this.#refilledAt = now();
  }

  /** Records a call (not a retry). */
  deposit(): void {
    this.#earned = Math.min(this.#maxTokens, this.#earned + this.#ratio);
  }

  /** Takes the token for one retry; false when the budget is spent. */
  tryWithdraw(): boolean {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#refilledAt) / 1000;
    this.#refilledAt = now;
    this.#reserve = Math.min(this.#minPerSecond, this.#reserve + elapsedSeconds * this.#minPerSecond);
    if (this.#reserve >= 1) {
      this.#reserve -= 1;
      return true;
    }
    // Fractions summed in floating point may land a hair under a whole token.
    if (this.#earned >= 1 - 1e-9) {
      this.#earned = Math.max(0, this.#earned - 1);
      return true;
    }
    return false;
  }
}
