/**
 * Upper bounds, in seconds, of the duration histograms (server requests,
 * client calls, pool tasks). They span 50 µs (a cached reply on the same
 * host) to 30 s (the default method timeout), roughly ×2–2.5 apart, so
 * `histogram_quantile` stays within a factor of about 2 at any latency a
 * Courier call can have. Beyond 30 s lands in `+Inf`.
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  30,
]);
