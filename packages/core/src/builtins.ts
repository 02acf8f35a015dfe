/*
 * The built-in methods' names and reply types, shared by the server, which
 * answers them (server/dispatcher.ts, server/describe.ts), and the clients and
 * tools that call them (client/dynamic-client.ts, the CLI). Neutral ground, so
 * neither side imports the other.
 */

/**
 * Methods every service answers, whatever its definition. They are matched
 * before user methods (whose names cannot start with `_`), skip the
 * concurrency limits, and are answered while draining, so health checks and
 * tools work even when the service is saturated.
 */
export const BuiltinMethod = {
  HEALTH: '_health',
  DESCRIBE: '_describe',
} as const;

/** The reply of `<service>._health`. */
export interface HealthReport {
  readonly status: 'ok' | 'draining';
  readonly service: string;
  readonly version: number;
  readonly uptimeSeconds: number;
  /** Handlers running now. */
  readonly inflight: number;
}

/** One method in a `_describe` reply. */
export interface MethodDescription {
  readonly idempotent: boolean;
  readonly timeoutMs: number;
  readonly description: string | null;
  /** Runs in the worker pool (CPU-bound) rather than on the event loop. */
  readonly compute: boolean;
  /** JSON Schema (draft 2020-12) of the input; null if the schema library cannot produce one. */
  readonly input: object | null;
  readonly output: object | null;
}

/** The reply of `<service>._describe`: enough for tools to list and call the service. */
export interface ServiceDescription {
  readonly name: string;
  readonly version: number;
  readonly description: string | null;
  readonly methods: Readonly<Record<string, MethodDescription>>;
  /** Event name to the JSON Schema of its payload (null when unavailable). */
  readonly events: Readonly<Record<string, object | null>>;
}
