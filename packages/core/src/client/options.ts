import type { ClientSecurityOptions, ClientOptions as TransportClientOptions } from '@courier/transport';
import type { Discovery } from '../discovery/discovery.js';
import type { ThrottleOptions } from './adaptive-throttle.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { OutlierDetectionOptions } from './outlier-detector.js';
import type { RetryOptions } from './retry.js';

/** Options of createClient and createDynamicClient. Give `endpoints` or `discovery`. */
export interface ClientOptions {
  /** A fixed list of endpoints, connected at once, e.g. `['tcp://10.0.0.7:7001']`. */
  endpoints?: readonly string[];
  /** Where to find endpoints as they come and go, e.g. `dnsSrv(...)`. */
  discovery?: Discovery;
  /** A call's deadline when neither the call nor the view gives one, in ms. @default 5000 */
  deadlineMs?: number;
  /**
   * Retries of calls refused by a server (any method) or lost with a dead
   * endpoint (idempotent methods only); `false` turns them off. @default {}
   */
  retry?: RetryOptions | false;
  /**
   * Ejects an endpoint whose failure rate is far above its peers' (never
   * all of them); `false` turns it off. @default {}
   */
  outlierDetection?: OutlierDetectionOptions | false;
  /**
   * A per-endpoint circuit breaker on consecutive failures, judged alone
   * rather than against peers (so it can eject a single endpoint); opt-in.
   * @default false
   */
  circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Client-side adaptive throttling (SRE "Handling Overload"), per method:
   * while a server refuses most calls with OVERLOADED, fail a share of new
   * ones at once with a local OverloadedError (`details.code`
   * ERR_COURIER_THROTTLED), and retry no OVERLOADED; `false` turns it off.
   * @default {}
   */
  throttle?: ThrottleOptions | false;
  /** Passed to each endpoint's TransportClient (heartbeats, high-water marks, reconnect). */
  transport?: Omit<TransportClientOptions, 'connect'>;
  /**
   * CURVE: `{ serverKey, secretKey }` (docs/security.md); every endpoint must
   * hold the server key's secret. A failed handshake fails calls at once
   * with UnavailableError, `details.code` ERR_COURIER_HANDSHAKE_FAILED.
   */
  security?: ClientSecurityOptions;
  /** This process's service name, sent with every call as `meta.caller`. */
  caller?: string;
  /** Randomness for backoff jitter and the balancer, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * The clock of circuit-breaker cooldowns and the retry budget's refill, in
   * ms. Deadlines always use `performance.now()`. @default performance.now
   */
  now?: () => number;
}
