import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ComputePool } from '../compute/pool-api.js';
import type { AnyService, Handler } from '../definition.js';
import { DefinitionError, UnsupportedError } from '../errors.js';
import { activeTracer } from '../tracing/tracer.js';
import type { Bulkhead, Lane } from './bulkhead.js';
import { makeLimiter } from './limiter.js';
import type { ResolvedLimits } from './options.js';

/** A user method, ready to dispatch. */
export interface MethodRoute {
  readonly kind: 'method';
  readonly name: string;
  readonly input: StandardSchemaV1;
  readonly output: StandardSchemaV1 | undefined;
  readonly invoke: Handler<unknown, unknown>;
  readonly lane: Lane;
  readonly timeoutMs: number;
}

/** A built-in method: answered at once, outside the concurrency limits. */
export interface BuiltinRoute {
  readonly kind: 'builtin';
  readonly name: string;
  readonly run: () => unknown;
}

export type Route = MethodRoute | BuiltinRoute;

/**
 * The dispatch table, keyed by the full wire name (`service.method`) so a
 * request costs one Map lookup and no string splitting. Built-ins are added
 * last, so nothing can shadow them.
 */
export function buildRoutes(
  definition: AnyService,
  limits: ResolvedLimits,
  bulkhead: Bulkhead,
  builtins: Readonly<Record<string, () => unknown>>,
  pool?: ComputePool,
): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const [name, m] of Object.entries(definition.methods)) {
    if (name.startsWith('_')) {
      throw new DefinitionError(
        'ERR_COURIER_MEMBER_NAME',
        `method names starting with _ are reserved, got ${name}`,
      );
    }
    const settings = limits.methods.get(name)!;
    routes.set(`${definition.name}.${name}`, {
      kind: 'method',
      name,
      input: m.input,
      output: m.output,
      invoke: m.handler ?? (pool === undefined ? noWorkerPool(name) : inPool(pool, name)),
      lane: bulkhead.lane(
        name,
        settings,
        makeLimiter(settings.limiter, settings.concurrency, settings.maxQueue),
      ),
      timeoutMs: settings.timeoutMs,
    });
  }
  for (const [name, run] of Object.entries(builtins)) {
    const route: BuiltinRoute = { kind: 'builtin', name, run };
    routes.set(`${definition.name}.${name}`, route);
    // Also under the bare name, so a tool that knows only an endpoint can ask
    // what is there (`courier describe tcp://...`).
    routes.set(name, route);
  }
  return routes;
}

// A compute method: its validated input goes to a worker, with the call's deadline and cancellation.
function inPool(pool: ComputePool, name: string): Handler<unknown, unknown> {
  return (input, ctx) =>
    pool.run(name, input, {
      signal: ctx.signal,
      deadline: ctx.deadline,
      // Formatting it costs a string; only a registered SDK has a use for it.
      traceparent: activeTracer() === undefined ? undefined : ctx.traceparent,
    });
}

// Compute methods run in the worker pool, which this server does not have.
function noWorkerPool(name: string): Handler<unknown, unknown> {
  return () => {
    throw new UnsupportedError(`method ${name} is compute-bound and this server has no worker pool`);
  };
}
