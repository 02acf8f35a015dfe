/** Options of the adaptive limiter (Netflix concurrency-limits' Gradient2; see GradientLimiter). */
export interface AdaptiveLimitOptions {
  /** The lowest the limit goes. @default 1 */
  readonly minLimit?: number;
  /** Where the limit starts. @default the method's `concurrency` + `maxQueue` (the fixed caps) */
  readonly initialLimit?: number;
  /** Calls admitted beyond what the latency gradient allows, as head room to grow. @default 4 */
  readonly queueSize?: number;
  /** How much of each new estimate replaces the limit, in (0, 1]. @default 0.2 */
  readonly smoothing?: number;
  /** Samples in the long-term latency average (the no-load yardstick). @default 600 */
  readonly longWindow?: number;
}

/** `fixed`: admit up to the caps. `adaptive` (or its options): admit what measured latency allows. */
export type LimiterOption = 'fixed' | 'adaptive' | AdaptiveLimitOptions;
