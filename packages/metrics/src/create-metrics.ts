import { CoreChannels } from '@courier/core';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ClientMetrics } from './client-metrics.js';
import type { AnyRegistry } from './collected.js';
import type { GroupContext } from './context.js';
import { MetricsError } from './errors.js';
import { EventLoopMetrics } from './event-loop-metrics.js';
import { type ListenOptions, listenHttp, type MetricsEndpoint } from './http-endpoint.js';
import { DEFAULT_MAX_LABEL_VALUES } from './label-guard.js';
import { LiveServers, type Readiness } from './live-servers.js';
import { MetricNames } from './names.js';
import { PoolMetrics } from './pool-metrics.js';
import { ServerMetrics } from './server-metrics.js';
import { subscribeAll } from './subscriptions.js';
import { TransportMetrics } from './transport-metrics.js';

export interface MetricsOptions {
  /**
   * The registry to register on. Pass your own to expose Courier's metrics
   * next to yours. Never prom-client's global registry unless you pass it.
   * @default a new Registry
   */
  registry?: AnyRegistry;
  /**
   * Also register prom-client's default process metrics (CPU, heap, event-loop
   * lag, GC, handles) on the registry. Skipped if the registry already has them.
   * @default true
   */
  defaultMetrics?: boolean;
  /**
   * Most distinct values one label of one metric may take; further values are
   * reported as `unknown`. A guard against unbounded label values, not a tuning knob.
   * @default 256
   */
  maxLabelValues?: number;
}

/** Courier's metrics for this process, live until `close()`. */
export interface Metrics extends AsyncDisposable {
  /** The registry holding the metrics (the one passed in, or a new one). */
  readonly registry: AnyRegistry;
  /** Whether a service is started and not draining (what `/readyz` answers). */
  readiness(): Readiness;
  /**
   * Serves `/metrics`, `/healthz` and `/readyz` over HTTP. Can be called more
   * than once (e.g. two ports); `close()` closes them all.
   */
  listen(options?: ListenOptions): Promise<MetricsEndpoint>;
  /** Unsubscribes from every channel, closes the HTTP endpoints, and removes the metrics from the registry. */
  close(): Promise<void>;
}

/**
 * Subscribes to Courier's diagnostics channels (core and transport) and
 * exposes what they report as Prometheus metrics. Create it before serving,
 * so servers announce themselves to it; each call has its own state, so
 * several can live in one process (tests) as long as their registries differ.
 *
 * @example
 * const metrics = createMetrics();
 * const http = await metrics.listen({ port: 9464, host: '0.0.0.0' });
 * const server = await serve(playlist, { bind: 'tcp://0.0.0.0:5555' });
 * // on shutdown:
 * await server.drain();
 * await metrics.close();
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  const maxLabelValues = options.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES;
  for (const name of Object.values(MetricNames)) {
    if (registry.getSingleMetric(name) !== undefined) {
      throw new MetricsError(
        'ERR_COURIER_METRICS_REGISTERED',
        `the registry already has ${name}: close the other createMetrics() on it first, or pass another registry`,
      );
    }
  }

  const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const serverGroup: { current?: ServerMetrics } = {};
  const servers = new LiveServers((stats) => serverGroup.current?.onStarted(stats));
  const context: GroupContext = { registry, servers, maxLabelValues };
  serverGroup.current = new ServerMetrics(context);
  const eventLoop = new EventLoopMetrics(context);
  const groups = [
    serverGroup.current,
    new ClientMetrics(context),
    new PoolMetrics(context),
    new TransportMetrics(context),
  ];
  if (
    (options.defaultMetrics ?? true) &&
    registry.getSingleMetric('process_cpu_user_seconds_total') === undefined
  ) {
    collectDefaultMetrics({ register: registry });
  }
  const added = registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .filter((name) => !before.has(name));

  const unsubscribe = subscribeAll([
    [CoreChannels.serverLifecycle, servers.onLifecycle],
    ...groups.flatMap((group) => group.subscriptions),
  ]);

  const endpoints = new Set<MetricsEndpoint>();
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      unsubscribe();
      eventLoop.close();
      await Promise.all([...endpoints].map((endpoint) => endpoint.close()));
      for (const name of added) registry.removeSingleMetric(name);
    })();
    return closed;
  };

  return {
    registry,
    readiness: () => servers.readiness(),
    async listen(listenOptions) {
      if (closed !== undefined)
        throw new MetricsError('ERR_COURIER_METRICS_CLOSED', 'listen() after close()');
      const endpoint = await listenHttp(registry, () => servers.readiness(), listenOptions);
      endpoints.add(endpoint);
      return endpoint;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
