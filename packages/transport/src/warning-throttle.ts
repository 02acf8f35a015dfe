/**
 * Lets at most one warning through per interval and counts the ones it held
 * back, so a peer that keeps sending the same bad input cannot flood the log.
 *
 * @example
 * const throttle = new WarningThrottle(10_000);
 * const suppressed = throttle.take(performance.now());
 * if (suppressed !== undefined) process.emitWarning(`bad input (${suppressed} more not shown)`);
 */
export class WarningThrottle {
  readonly intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /**
   * Records one warning at `now`. Returns undefined when it must be held back;
   * otherwise it may be emitted, and the result is how many were held back
   * since the last one let through.
   */
  take(now: number): number | undefined {
    if (now - this.#lastAt < this.intervalMs) {
      this.#suppressed++;
      return undefined;
    }
    this.#lastAt = now;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed;
  }
}
