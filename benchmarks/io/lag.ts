import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** Sampling interval of the lag monitor, in ms: fine enough to see a fraction of the 10 ms wait. */
export const LAG_RESOLUTION_MS = 1;

/** Event-loop lag over a window, in ms. */
export interface LagSummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Measures this process's event-loop lag between `start()` and `stop()`.
 *
 * monitorEventLoopDelay records the time between consecutive runs of a timer
 * set to `LAG_RESOLUTION_MS`, so an idle loop reads about the resolution;
 * the lag reported here is what exceeds it (never below 0).
 *
 * @example
 * const lag = new LagMonitor();
 * lag.start();
 * await work();
 * lag.stop(); // { p50Ms, p99Ms, maxMs }
 */
export class LagMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });

  start(): void {
    this.#histogram.disable();
    this.#histogram.reset();
    this.#histogram.enable();
  }

  stop(): LagSummary {
    this.#histogram.disable();
    const lag = (ns: number) =>
      Number.isFinite(ns) ? Math.max(ns / 1e6 - LAG_RESOLUTION_MS, 0) : Number.NaN;
    const h = this.#histogram;
    return h.count === 0
      ? { p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN }
      : { p50Ms: lag(h.percentile(50)), p99Ms: lag(h.percentile(99)), maxMs: lag(h.max) };
  }
}
