import { ServerConfigError } from '../errors.js';
import type { AdaptiveLimitOptions, LimiterOption } from '../limiter-options.js';

/**
 * How many calls of one method a server admits at once (running plus
 * queued): the swappable strategy behind a lane. `concurrency` and
 * `maxQueue` stay fixed caps either way; a limiter can only admit fewer.
 */
export interface ConcurrencyLimiter {
  /** Most calls admitted now, running and queued together. */
  readonly limit: number;
  /** Whether it learns from samples; if not, calls skip measuring (a clock read per call). */
  readonly measures: boolean;
  /**
   * A call admitted by this lane ended: `latencyMs` from its arrival (so
   * time queued counts) to its handler's return; `admitted` calls were
   * running or queued in the lane as it ended, itself included.
   */
  sample(latencyMs: number, admitted: number): void;
}

/** The fixed strategy: `concurrency` running plus `maxQueue` waiting, as configured. */
export class FixedLimiter implements ConcurrencyLimiter {
  readonly measures = false;
  constructor(readonly limit: number) {}
  sample(): void {}
}

/**
 * An adaptive limit in the manner of Netflix concurrency-limits' Gradient2:
 * a long exponential average of latency is the yardstick of "no queueing";
 * each sample's gradient, long / current (capped to [0.5, 1]), scales the
 * limit down when latency rises above it, and a small `queueSize` on top
 * lets the limit probe upward when it does not. Smoothing keeps one slow
 * call from halving it; when latency falls far below the long average
 * (the load dropped), the average is pulled down quickly so the limit
 * recovers rather than waiting out the window.
 *
 * Latency here counts time queued, so a lane whose queue grows sees its
 * limit shrink toward what it can run: the queue, not the work, is what
 * overload inflates. A lane using less than half its limit is not judged
 * (its latency says nothing about more load).
 */
export class GradientLimiter implements ConcurrencyLimiter {
  readonly measures = true;
  #limit: number;
  readonly #min: number;
  readonly #max: number;
  readonly #queueSize: number;
  readonly #smoothing: number;
  readonly #longWindow: number;
  #long = 0;
  #samples = 0;

  constructor(maxLimit: number, options: AdaptiveLimitOptions = {}) {
    this.#max = maxLimit;
    this.#min = check('minLimit', options.minLimit ?? 1, 1, maxLimit);
    this.#limit = check('initialLimit', options.initialLimit ?? maxLimit, this.#min, maxLimit);
    this.#queueSize = check('queueSize', options.queueSize ?? 4, 0, Number.MAX_SAFE_INTEGER);
    this.#smoothing = check('smoothing', options.smoothing ?? 0.2, Number.MIN_VALUE, 1);
    this.#longWindow = check('longWindow', options.longWindow ?? 600, 1, Number.MAX_SAFE_INTEGER);
  }

  /** Whole calls: a lane admits while its count is below this. */
  get limit(): number {
    return Math.floor(this.#limit);
  }

  /** The long-term latency average, in ms (for tests and diagnostics). */
  get longLatencyMs(): number {
    return this.#long;
  }

  sample(latencyMs: number, admitted: number): void {
    const rtt = Math.max(latencyMs, 1e-3);
    // A plain mean for the first samples, so the average starts where latency is.
    this.#samples++;
    const warm = this.#samples <= 10;
    this.#long = warm
      ? this.#long + (rtt - this.#long) / this.#samples
      : this.#long + ((rtt - this.#long) * 2) / (this.#longWindow + 1);
    if (this.#long / rtt > 2) this.#long *= 0.9;
    if (admitted < this.#limit / 2) return;
    const gradient = Math.max(0.5, Math.min(1, this.#long / rtt));
    const estimate = this.#limit * gradient + this.#queueSize;
    const next = this.#limit * (1 - this.#smoothing) + estimate * this.#smoothing;
    this.#limit = Math.max(this.#min, Math.min(this.#max, next));
  }
}

/** The limiter a lane with these caps runs under. */
export function makeLimiter(
  option: LimiterOption | undefined,
  concurrency: number,
  maxQueue: number,
): ConcurrencyLimiter {
  const caps = concurrency + maxQueue;
  if (option === undefined || option === 'fixed') return new FixedLimiter(caps);
  return new GradientLimiter(caps, option === 'adaptive' ? {} : option);
}

function check(name: string, value: number, min: number, max: number): number {
  if (!(typeof value === 'number' && value >= min && value <= max)) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `Courier adaptive limit ${name} must be in [${min}, ${max}], got ${value}`,
    );
  }
  return value;
}
