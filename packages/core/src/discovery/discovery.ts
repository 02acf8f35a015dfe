/**
 * Where a client finds a service's endpoints. The client calls `resolve()`
 * when it starts and then every `refreshMs`: endpoints that appear are
 * connected, endpoints that vanish are drained (their calls in flight
 * finish) and closed. A rejected `resolve()` keeps the last known set.
 */
export interface Discovery {
  /** The current endpoints, e.g. `['tcp://10.0.0.7:7001']`. */
  resolve(): Promise<readonly string[]>;
  /** How often to resolve again, in ms; `undefined` resolves once. */
  readonly refreshMs?: number;
}
