import { type ClientCallEnd, type ClientEndpointState, type ClientRetry, CoreChannels } from '@courier/core';
import { BucketCounts } from './bucket-counts.js';
import { DURATION_BUCKETS } from './buckets.js';
import { collectedCounter, collectedGauge, collectedHistogram } from './collected.js';
import type { GroupContext } from './context.js';
import { LabelGuard } from './label-guard.js';
import { MetricNames } from './names.js';
import { SeriesTable, Tally } from './series-table.js';
import type { Subscription } from './subscriptions.js';

interface CallSeries {
  readonly statuses: Tally;
  readonly retries: Tally;
  readonly durations: BucketCounts;
}

/** States always reported (as 0 when empty), so dashboards and alerts see a series. */
const ENDPOINT_STATES = ['alive', 'draining', 'dead', 'ejected'] as const;

/**
 * Client metrics, per target service and method: calls by status, duration
 * and retries by reason; and, per target service, endpoints by state.
 */
export class ClientMetrics {
  readonly #calls: SeriesTable<CallSeries>;
  /** service → endpoint → state, from endpoint events. Endpoints are counted, never labels. */
  readonly #endpoints = new Map<string, Map<string, string>>();

  constructor({ registry, maxLabelValues }: GroupContext) {
    const statusGuard = new LabelGuard(maxLabelValues);
    const reasonGuard = new LabelGuard(maxLabelValues);
    const calls = new SeriesTable<CallSeries>(
      () => ({
        statuses: new Tally(statusGuard),
        retries: new Tally(reasonGuard),
        durations: new BucketCounts(DURATION_BUCKETS),
      }),
      maxLabelValues,
    );
    this.#calls = calls;

    collectedCounter(
      registry,
      {
        name: MetricNames.clientCalls,
        help: 'Calls finished by the client, by final status (after any retries).',
        labelNames: ['service', 'method', 'status'],
      },
      (emit) => {
        for (const [service, method, series] of calls) {
          for (const [status, count] of series.statuses) emit({ service, method, status }, count);
        }
      },
    );
    collectedHistogram(
      registry,
      {
        name: MetricNames.clientCallDuration,
        help: 'Time from a call starting to it settling, retries included, in seconds.',
        labelNames: ['service', 'method'],
        buckets: DURATION_BUCKETS,
      },
      (emit) => {
        for (const [service, method, series] of calls) emit({ service, method }, series.durations);
      },
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.clientRetries,
        help: 'Attempts the client retried, by the reason the previous attempt failed.',
        labelNames: ['service', 'method', 'reason'],
      },
      (emit) => {
        for (const [service, method, series] of calls) {
          for (const [reason, count] of series.retries) emit({ service, method, reason }, count);
        }
      },
    );

    const serviceGuard = new LabelGuard(maxLabelValues);
    const stateGuard = new LabelGuard(maxLabelValues);
    collectedGauge(
      registry,
      {
        name: MetricNames.clientEndpoints,
        help: 'Endpoints the clients in this process know for a service, by state: alive, draining, dead, ejected (circuit open), half-open (circuit probing), connecting.',
        labelNames: ['service', 'state'],
      },
      (emit) => {
        for (const [rawService, endpoints] of this.#endpoints) {
          const service = serviceGuard.admit(rawService);
          for (const state of ENDPOINT_STATES) emit({ service, state }, 0);
          for (const state of endpoints.values()) emit({ service, state: stateGuard.admit(state) }, 1);
        }
      },
    );
  }

  readonly onCallEnd = (message: unknown): void => {
    const end = message as ClientCallEnd;
    const series = this.#calls.get(end.service, end.method);
    series.statuses.add(end.status);
    series.durations.observe(end.durationSeconds);
  };

  readonly onRetry = (message: unknown): void => {
    const retry = message as ClientRetry;
    this.#calls.get(retry.service, retry.method).retries.add(retry.reason);
  };

  readonly onEndpoint = (message: unknown): void => {
    const { service, endpoint, state } = message as ClientEndpointState;
    let endpoints = this.#endpoints.get(service);
    // A removed endpoint, or every endpoint of a closed client, is no longer anyone's to count.
    if (state === 'removed' || state === 'closed') {
      endpoints?.delete(endpoint);
      return;
    }
    if (endpoints === undefined) {
      endpoints = new Map();
      this.#endpoints.set(service, endpoints);
    }
    endpoints.set(endpoint, state);
  };

  get subscriptions(): Subscription[] {
    return [
      [CoreChannels.clientCallEnd, this.onCallEnd],
      [CoreChannels.clientRetry, this.onRetry],
      [CoreChannels.clientEndpoint, this.onEndpoint],
    ];
  }
}
