import type { ServerSecurityOptions, SocketOptions } from '@courier/transport';
import type { Logger } from 'pino';
import type { ComputePoolOptions } from '../compute/pool.js';
import type { AnyService } from '../definition.js';
import { ServerConfigError } from '../errors.js';
import type { LimiterOption } from '../limiter-options.js';
import { MAX_TIMER_MS } from '../max-timer.js';
import type { AccessOptions } from './access.js';
import type { LaneLimits } from './bulkhead.js';

/** Concurrency limits; each overrides what the service definition says. */
export interface ConcurrencyLimits {
  /** Most calls running at once. A positive integer. */
  readonly concurrency?: number;
  /** Most calls waiting for a slot; more are shed with OVERLOADED. A non-negative integer. */
  readonly maxQueue?: number;
}

export interface MethodOverrides extends ConcurrencyLimits {
  /** Longest run of one call, in ms (caps the caller's deadline). */
  readonly timeoutMs?: number;
  /** `'fixed'` or `'adaptive'` (see MethodOptions.limiter). */
  readonly limiter?: LimiterOption;
}

/**
 * Per-deployment overrides of the options in the definition: the
 * service-wide limits at the top level, a method's under `methods`.
 *
 * @example
 * { concurrency: 256, methods: { search: { concurrency: 8, maxQueue: 32, timeoutMs: 2000 } } }
 */
export interface ServiceOverrides<TMethods = Record<string, unknown>> extends ConcurrencyLimits {
  /**
   * Most request body bytes held by calls queued or running, server-wide;
   * a call that would exceed it is shed with OVERLOADED. @default 256 MiB
   */
  readonly maxInflightBytes?: number;
  /** The limiter of every method that does not choose its own (see MethodOptions.limiter). @default 'fixed' */
  readonly limiter?: LimiterOption;
  readonly methods?: { readonly [K in keyof TMethods]?: MethodOverrides };
}

export interface GracefulShutdownOptions {
  /**
   * How long close() lets in-flight and queued calls finish before it cancels
   * them (they are still answered: CANCELLED if they were running,
   * UNAVAILABLE if they never ran). Within it, a server with clients
   * connected also keeps its socket open until a heartbeat interval after
   * it told them to drain, so calls they sent just before are refused (and
   * retried elsewhere) rather than lost.
   * @default 10000
   */
  readonly graceMs?: number;
  /**
   * Process signals that start a graceful shutdown of the whole process:
   * every server drains and closes, then every client, compute pool and
   * metrics listener closes, then the process exits (0, or 1 if a close
   * failed). The listeners are removed at once, so a second signal gets
   * Node's default action (terminate at once). `false` installs no
   * listeners: the process's shutdown is then yours.
   * @default ['SIGTERM', 'SIGINT']
   */
  readonly signals?: readonly NodeJS.Signals[] | false;
  /**
   * Whether the process exits once a signal's shutdown has closed what
   * Courier opened. `false` leaves the process running (for embedding in a
   * host that decides itself, such as a test runner).
   * @default true
   */
  readonly exit?: boolean;
}

/** Options of serve(). Socket options (heartbeats, limits, batching) pass through to the transport. */
export interface ServeOptions<TService extends AnyService = AnyService> extends SocketOptions, AccessOptions {
  /**
   * Endpoints to bind, e.g. `tcp://0.0.0.0:7001`, `tcp://127.0.0.1:*` (any
   * free port; read `server.endpoints`), `ipc:///tmp/x.sock`, `inproc://name`.
   */
  readonly bind: string | readonly string[];
  /**
   * Where the server logs; each request gets a child of it (see `ctx.log`).
   * @default pino at the level in env COURIER_LOG_LEVEL, or 'info'
   */
  readonly logger?: Logger;
  /**
   * Per-deployment limits that replace the definition's: service-wide
   * `concurrency`/`maxQueue`, and per method `concurrency`, `maxQueue`,
   * `timeoutMs`. Defaults: service concurrency 1024, maxQueue 4096; a
   * method's limits default to the service's; timeoutMs 30000.
   */
  readonly overrides?: ServiceOverrides<TService['methods']>;
  readonly gracefulShutdown?: GracefulShutdownOptions;
  /**
   * The worker pool that runs the service's compute methods, started only
   * when it has some: its size, queue bound, idle timeout, and the data
   * every worker shares. serve() rejects if a compute implementation does
   * not load. See ComputePoolOptions.
   */
  readonly pool?: ComputePoolOptions;
  /**
   * CURVE encryption and client authentication (docs/security.md):
   * `{ secretKey, allow }`. Each call's caller is then `ctx.identity`, which
   * `authorize` can check per method. Omitted: plaintext, anyone who can
   * reach the port may call; bind to loopback or a private network only.
   */
  readonly security?: ServerSecurityOptions;
}

export const DEFAULT_CONCURRENCY = 1024;
export const DEFAULT_MAX_QUEUE = 4096;
/**
 * 256 MiB of request bodies queued or running: 16 bodies at the 16 MiB body
 * limit, or thousands of small ones, within a 2-core, few-GB service (decoded
 * values take a few times their bytes).
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface MethodSettings extends LaneLimits {
  readonly timeoutMs: number;
  readonly limiter: LimiterOption;
}

export interface ResolvedLimits {
  readonly service: LaneLimits;
  /** The byte budget of queued and running request bodies. */
  readonly maxInflightBytes: number;
  readonly methods: ReadonlyMap<string, MethodSettings>;
}

/** Merges serve() overrides over the definition over the defaults, and checks every value. */
export function resolveLimits(definition: AnyService, overrides: ServiceOverrides = {}): ResolvedLimits {
  const service: LaneLimits = {
    concurrency: concurrency(
      'concurrency',
      overrides.concurrency ?? definition.concurrency ?? DEFAULT_CONCURRENCY,
    ),
    maxQueue: maxQueue('maxQueue', overrides.maxQueue ?? definition.maxQueue ?? DEFAULT_MAX_QUEUE),
  };
  const perMethod = (overrides.methods ?? {}) as Record<string, MethodOverrides | undefined>;
  for (const name of Object.keys(perMethod)) {
    if (!Object.hasOwn(definition.methods, name)) {
      throw new ServerConfigError(
        'ERR_COURIER_SERVER_OPTIONS',
        `Courier overrides name method ${JSON.stringify(name)}, which ${definition.name} does not have`,
      );
    }
  }
  const methods = new Map<string, MethodSettings>();
  for (const [name, def] of Object.entries(definition.methods)) {
    const o = perMethod[name] ?? {};
    methods.set(name, {
      concurrency: concurrency(
        `${name}.concurrency`,
        o.concurrency ?? def.concurrency ?? service.concurrency,
      ),
      maxQueue: maxQueue(`${name}.maxQueue`, o.maxQueue ?? def.maxQueue ?? service.maxQueue),
      timeoutMs: timeout(`${name}.timeoutMs`, o.timeoutMs ?? def.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      limiter: o.limiter ?? def.limiter ?? overrides.limiter ?? 'fixed',
    });
  }
  const maxInflightBytes = overrides.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES;
  if (!(maxInflightBytes > 0)) {
    throw new RangeError(`Courier maxInflightBytes must be a positive number, got ${maxInflightBytes}`);
  }
  return { service, methods, maxInflightBytes };
}

/** A grace period: a non-negative number of ms. */
export function graceMs(value: number): number {
  if (!(value >= 0 && value <= MAX_TIMER_MS)) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `Courier graceMs must be between 0 and ${MAX_TIMER_MS}, got ${value}`,
    );
  }
  return value;
}

function concurrency(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `Courier ${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function maxQueue(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `Courier ${name} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}

function timeout(name: string, value: number): number {
  if (!(value > 0 && value <= MAX_TIMER_MS)) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `Courier ${name} must be in (0, ${MAX_TIMER_MS}] ms, got ${value}`,
    );
  }
  return value;
}
