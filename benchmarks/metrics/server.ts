/**
 * Child process: the bench-echo service on a free loopback port, with
 * @courier/metrics on or off (argv[2]). With metrics on, the registry is
 * also rendered every second, far more often than Prometheus would scrape,
 * so the scrape's cost is in the measurement too.
 */
import { serve } from '@courier/core';
import { createMetrics, MetricNames } from '@courier/metrics';
import { pino } from 'pino';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { benchEcho, handled } from './echo-service.js';

const mode = process.argv[2];
if (mode !== 'on' && mode !== 'off') throw new Error(`usage: server.ts on|off, got ${mode}`);

const metrics = mode === 'on' ? createMetrics() : undefined;
let scrapes = 0;
const scraper =
  metrics === undefined
    ? undefined
    : setInterval(() => {
        void metrics.registry.metrics().then(() => scrapes++);
      }, 1000);

const server = await serve(benchEcho, {
  bind: 'tcp://127.0.0.1:*',
  logger: pino({ level: 'warn' }),
  gracefulShutdown: { signals: false },
});

const handlers = {
  /** CPU time used so far and calls handled so far: their deltas give CPU per request. */
  usage: () => ({ cpu: process.cpuUsage(), handled: handled.count }),
  /** What the metrics counted, so the parent can check they were really on. */
  counted: async () => {
    if (metrics === undefined) return { requests: 0, scrapes };
    const json = await metrics.registry.getSingleMetric(MetricNames.serverRequests)!.get();
    return { requests: json.values.reduce((sum, v) => sum + v.value, 0), scrapes };
  },
  shutdown: async () => {
    clearInterval(scraper);
    await server.close();
    await metrics?.close();
  },
};
export type ServerHandlers = typeof handlers;
export interface ServerReady {
  endpoint: string;
}

serveParent(handlers);
notifyReady({ endpoint: server.endpoints[0]! } satisfies ServerReady);
