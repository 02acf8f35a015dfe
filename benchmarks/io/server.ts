/**
 * Child process: the io-bench service on a free loopback port. Over a
 * window the parent opens and closes, measures its own event-loop lag, CPU
 * time, calls handled and ZeroMQ messages in and out.
 */
import { performance } from 'node:perf_hooks';
import { serve } from '@courier/core';
import { pino } from 'pino';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { MessageCounter, type MessageCounts } from './batching.js';
import { LagMonitor, type LagSummary } from './lag.js';
import { type SchedTimes, schedTimes, waitingPercent } from './run-queue.js';
import { handled, ioBench } from './service.js';

const concurrency = Number(process.argv[2]);
if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
  throw new Error(`usage: server.ts <concurrency>, got ${process.argv[2]}`);
}

const server = await serve(ioBench, {
  bind: 'tcp://127.0.0.1:*',
  logger: pino({ level: 'warn' }),
  gracefulShutdown: { signals: false },
  // Set explicitly (the defaults are 1024 running, 4096 queued) so the limit
  // is never what shapes the result: every call in flight runs at once.
  overrides: { concurrency, maxQueue: concurrency },
});

/** What the server saw over one window. */
export interface ServerWindow extends MessageCounts {
  lag: LagSummary;
  /** CPU time used, in % of one core. */
  cpuPercent: number;
  /** Time the event loop was ready to run but had no CPU, in % of the window (Linux only). */
  runQueuePercent: number;
  /** Calls that reached a handler. */
  handled: number;
  wallMs: number;
}

const lag = new LagMonitor();
const messages = new MessageCounter();
let window: { at: number; cpu: NodeJS.CpuUsage; sched: SchedTimes | undefined; handled: number } | undefined;

const handlers = {
  windowStart: (): void => {
    lag.start();
    messages.start();
    window = { at: performance.now(), cpu: process.cpuUsage(), sched: schedTimes(), handled: handled.count };
  },
  windowStop: (): ServerWindow | undefined => {
    if (window === undefined) return undefined;
    const wallMs = performance.now() - window.at;
    const cpu = process.cpuUsage(window.cpu);
    const result = {
      lag: lag.stop(),
      ...messages.stop(),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      runQueuePercent: waitingPercent(window.sched, schedTimes(), wallMs),
      handled: handled.count - window.handled,
      wallMs,
    };
    window = undefined;
    return result;
  },
  shutdown: () => server.close(),
};
export type ServerHandlers = typeof handlers;
export interface ServerReady {
  endpoint: string;
}

serveParent(handlers);
notifyReady({ endpoint: server.endpoints[0]! } satisfies ServerReady);
