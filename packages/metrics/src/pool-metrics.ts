import { CoreChannels, type PoolTaskEnd, type ServerStats } from '@courier/core';
import { BucketCounts } from './bucket-counts.js';
import { DURATION_BUCKETS } from './buckets.js';
import { collectedCounter, collectedGauge, collectedHistogram } from './collected.js';
import type { GroupContext } from './context.js';
import { LabelGuard } from './label-guard.js';
import { MetricNames } from './names.js';
import { SeriesTable, Tally } from './series-table.js';
import type { Subscription } from './subscriptions.js';

interface TaskSeries {
  readonly statuses: Tally;
  readonly durations: BucketCounts;
}

type PoolStats = NonNullable<ServerStats['pool']>;

/**
 * Worker-pool metrics: threads, busy threads and queued tasks per service
 * (from the servers' `stats().pool` at scrape time), and tasks by status and
 * duration per service and method (from task-end events).
 */
export class PoolMetrics {
  readonly #tasks: SeriesTable<TaskSeries>;

  constructor({ registry, servers, maxLabelValues }: GroupContext) {
    const statusGuard = new LabelGuard(maxLabelValues);
    const tasks = new SeriesTable<TaskSeries>(
      () => ({ statuses: new Tally(statusGuard), durations: new BucketCounts(DURATION_BUCKETS) }),
      maxLabelValues,
    );
    this.#tasks = tasks;

    collectedCounter(
      registry,
      {
        name: MetricNames.poolTasks,
        help: 'Tasks the worker pool finished, by status.',
        labelNames: ['service', 'method', 'status'],
      },
      (emit) => {
        for (const [service, method, series] of tasks) {
          for (const [status, count] of series.statuses) emit({ service, method, status }, count);
        }
      },
    );
    collectedHistogram(
      registry,
      {
        name: MetricNames.poolTaskDuration,
        help: 'Time a task ran on a worker thread, in seconds (queueing excluded).',
        labelNames: ['service', 'method'],
        buckets: DURATION_BUCKETS,
      },
      (emit) => {
        for (const [service, method, series] of tasks) emit({ service, method }, series.durations);
      },
    );

    const serviceGuard = new LabelGuard(maxLabelValues);
    const perService =
      (read: (pool: PoolStats) => number) => (emit: (labels: { service: string }, value: number) => void) => {
        for (const stats of servers.stats()) {
          if (stats.pool !== undefined)
            emit({ service: serviceGuard.admit(stats.service) }, read(stats.pool));
        }
      };
    collectedGauge(
      registry,
      { name: MetricNames.poolThreads, help: 'Worker threads in the pool.', labelNames: ['service'] },
      perService((pool) => pool.threads),
    );
    collectedGauge(
      registry,
      {
        name: MetricNames.poolBusyThreads,
        help: 'Worker threads running a task now.',
        labelNames: ['service'],
      },
      perService((pool) => pool.busy),
    );
    collectedGauge(
      registry,
      {
        name: MetricNames.poolQueuedTasks,
        help: 'Tasks waiting for a free worker thread now.',
        labelNames: ['service'],
      },
      perService((pool) => pool.queued),
    );
  }

  readonly onTaskEnd = (message: unknown): void => {
    const end = message as PoolTaskEnd;
    const series = this.#tasks.get(end.service, end.method);
    series.statuses.add(end.status);
    series.durations.observe(end.durationSeconds);
  };

  get subscriptions(): Subscription[] {
    return [[CoreChannels.poolTaskEnd, this.onTaskEnd]];
  }
}
