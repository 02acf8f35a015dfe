import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { collectedCounter, collectedGauge } from './collected.js';
import type { GroupContext } from './context.js';
import type { LiveServers } from './live-servers.js';
import { MetricNames, UNKNOWN_LABEL_VALUE } from './names.js';

/** Delay quantiles reported, as the `quantile` label gives them. */
const QUANTILES = [
  ['0.5', 50],
  ['0.99', 99],
] as const;

/**
 * Event-loop health, labelled with each service this process serves (the
 * loop is the process's, so every service in it reports the same values;
 * the label is what lets a dashboard put them beside that service's
 * latency). Delay comes from `monitorEventLoopDelay` (10 ms resolution),
 * utilisation from `performance.eventLoopUtilization()`. Both gauges cover
 * the window since the previous scrape; the active-time counter is
 * cumulative, so `rate()` of it is the utilisation over any range.
 */
export class EventLoopMetrics {
  readonly #delay = monitorEventLoopDelay({ resolution: 10 });

  constructor({ registry, servers }: GroupContext) {
    const delay = this.#delay;
    delay.enable();
    let last: EventLoopUtilization = performance.eventLoopUtilization();

    collectedGauge(
      registry,
      {
        name: MetricNames.eventLoopDelay,
        help: 'Event-loop delay since the previous scrape, in seconds: median, p99 and max (quantile 1).',
        labelNames: ['service', 'quantile'],
      },
      (emit) => {
        const samples = delay.count;
        const values: [string, number][] = QUANTILES.map(([q, p]) => [q, delay.percentile(p) / 1e9]);
        values.push(['1', delay.max / 1e9]);
        delay.reset();
        // No sample yet (a scrape within 10 ms of the previous one): nothing rather than zeros.
        if (samples === 0) return;
        for (const service of serviceNames(servers)) {
          for (const [quantile, value] of values) emit({ service, quantile }, value);
        }
      },
    );
    collectedGauge(
      registry,
      {
        name: MetricNames.eventLoopUtilization,
        help: 'Share of time the event loop was busy since the previous scrape (0 to 1).',
        labelNames: ['service'],
      },
      (emit) => {
        const now = performance.eventLoopUtilization();
        const window = performance.eventLoopUtilization(now, last);
        last = now;
        for (const service of serviceNames(servers)) emit({ service }, window.utilization);
      },
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.eventLoopActive,
        help: 'Time the event loop spent running code (not waiting for I/O), in seconds.',
        labelNames: ['service'],
      },
      (emit) => {
        const active = performance.eventLoopUtilization().active / 1000;
        for (const service of serviceNames(servers)) emit({ service }, active);
      },
    );
  }

  close(): void {
    this.#delay.disable();
  }
}

/** Each service served in this process once, or `unknown` for a process that serves none (a client). */
function serviceNames(servers: LiveServers): Set<string> {
  const names = new Set<string>();
  for (const stats of servers.stats()) names.add(stats.service);
  if (names.size === 0) names.add(UNKNOWN_LABEL_VALUE);
  return names;
}
