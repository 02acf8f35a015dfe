import { CoreChannels, type ServerRequestEnd, type ServerStats } from '@courier/core';
import { BucketCounts } from './bucket-counts.js';
import { DURATION_BUCKETS } from './buckets.js';
import { collectedCounter, collectedGauge, collectedHistogram } from './collected.js';
import type { GroupContext } from './context.js';
import { LabelGuard } from './label-guard.js';
import { MetricNames } from './names.js';
import { SeriesTable, Tally } from './series-table.js';
import type { Subscription } from './subscriptions.js';

interface MethodSeries {
  readonly statuses: Tally;
  readonly durations: BucketCounts;
  shed: number;
  expired: number;
}

const METHOD_LABELS = ['service', 'method'] as const;

/**
 * Server metrics, per service and method: replies by status, duration, shed
 * and expired requests (from request-end events), and in-flight and queued
 * requests (from the servers' `stats()` at scrape time).
 */
export class ServerMetrics {
  readonly #table: SeriesTable<MethodSeries>;

  constructor({ registry, servers, maxLabelValues }: GroupContext) {
    const statusGuard = new LabelGuard(maxLabelValues);
    const table = new SeriesTable<MethodSeries>(
      () => ({
        statuses: new Tally(statusGuard),
        durations: new BucketCounts(DURATION_BUCKETS),
        shed: 0,
        expired: 0,
      }),
      maxLabelValues,
    );
    this.#table = table;

    collectedCounter(
      registry,
      {
        name: MetricNames.serverRequests,
        help: 'Requests answered by the server, by status (OK, BAD_REQUEST, OVERLOADED, ...).',
        labelNames: ['service', 'method', 'status'],
      },
      (emit) => {
        for (const [service, method, series] of table) {
          for (const [status, count] of series.statuses) emit({ service, method, status }, count);
        }
      },
    );
    collectedHistogram(
      registry,
      {
        name: MetricNames.serverRequestDuration,
        help: 'Time from a request arriving to its reply being sent, in seconds; every reply, including refused ones.',
        labelNames: METHOD_LABELS,
        buckets: DURATION_BUCKETS,
      },
      (emit) => {
        for (const [service, method, series] of table) emit({ service, method }, series.durations);
      },
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.serverShed,
        help: 'Requests refused with OVERLOADED because the method or service queue was full; never run.',
        labelNames: METHOD_LABELS,
      },
      (emit) => {
        for (const [service, method, series] of table) emit({ service, method }, series.shed);
      },
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.serverExpired,
        help: 'Requests whose deadline passed while they waited in the queue; answered DEADLINE_EXCEEDED, never run.',
        labelNames: METHOD_LABELS,
      },
      (emit) => {
        for (const [service, method, series] of table) emit({ service, method }, series.expired);
      },
    );

    const gaugeGuards = { service: new LabelGuard(maxLabelValues), method: new LabelGuard(maxLabelValues) };
    const perMethod =
      (read: (m: ServerStats['methods'][number]) => number) =>
      (emit: (labels: Record<'service' | 'method', string>, value: number) => void) => {
        for (const stats of servers.stats()) {
          const service = gaugeGuards.service.admit(stats.service);
          for (const m of stats.methods)
            emit({ service, method: gaugeGuards.method.admit(m.method) }, read(m));
        }
      };
    collectedGauge(
      registry,
      {
        name: MetricNames.serverInFlight,
        help: 'Requests running in a handler now.',
        labelNames: METHOD_LABELS,
      },
      perMethod((m) => m.inflight),
    );
    collectedGauge(
      registry,
      {
        name: MetricNames.serverQueued,
        help: 'Requests waiting for a concurrency slot now.',
        labelNames: METHOD_LABELS,
      },
      perMethod((m) => m.queued),
    );
    collectedGauge(
      registry,
      {
        name: MetricNames.serverDraining,
        help: '1 while a server of the service is draining (refusing new work, finishing the rest), else 0.',
        labelNames: ['service'],
      },
      (emit) => {
        const draining = new Map<string, number>();
        for (const stats of servers.stats()) {
          const service = gaugeGuards.service.admit(stats.service);
          draining.set(service, Math.max(draining.get(service) ?? 0, stats.draining ? 1 : 0));
        }
        for (const [service, value] of draining) emit({ service }, value);
      },
    );
  }

  /** Creates a server's series up front, so its counters read 0 before the first request (rate() needs them). */
  readonly onStarted = (stats: ServerStats): void => {
    for (const m of stats.methods) this.#table.get(stats.service, m.method);
  };

  readonly onRequestEnd = (message: unknown): void => {
    const end = message as ServerRequestEnd;
    const series = this.#table.get(end.service, end.method);
    series.statuses.add(end.status);
    series.durations.observe(end.durationSeconds);
    if (end.refused) {
      if (end.status === 'OVERLOADED') series.shed++;
      else if (end.status === 'DEADLINE_EXCEEDED') series.expired++;
    }
  };

  get subscriptions(): Subscription[] {
    return [[CoreChannels.serverRequestEnd, this.onRequestEnd]];
  }
}
