/**
 * Child process: the raw baseline for bench:io, a hand-batched zeromq.js
 * ROUTER whose handler awaits the same 10 ms timer as the service's `wait`,
 * on a free loopback port. Measures the same window figures as server.ts.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { RawEchoServer } from '../transport/raw-echo.js';
import { LagMonitor } from './lag.js';
import { type SchedTimes, schedTimes, waitingPercent } from './run-queue.js';
import type { ServerReady, ServerWindow } from './server.js';
import { IO_WAIT_MS } from './service.js';

let handled = 0;
const server = await RawEchoServer.listen('tcp://127.0.0.1:*', async (body) => {
  handled++;
  await sleep(IO_WAIT_MS);
  return body;
});

const lag = new LagMonitor();
let window:
  | {
      at: number;
      cpu: NodeJS.CpuUsage;
      sched: SchedTimes | undefined;
      handled: number;
      in: number;
      out: number;
    }
  | undefined;

const handlers = {
  windowStart: (): void => {
    lag.start();
    window = {
      at: performance.now(),
      cpu: process.cpuUsage(),
      sched: schedTimes(),
      handled,
      in: server.messagesIn,
      out: server.messagesOut,
    };
  },
  windowStop: (): ServerWindow | undefined => {
    if (window === undefined) return undefined;
    const wallMs = performance.now() - window.at;
    const cpu = process.cpuUsage(window.cpu);
    const result = {
      lag: lag.stop(),
      messagesIn: server.messagesIn - window.in,
      messagesOut: server.messagesOut - window.out,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      runQueuePercent: waitingPercent(window.sched, schedTimes(), wallMs),
      handled: handled - window.handled,
      wallMs,
    };
    window = undefined;
    return result;
  },
  shutdown: () => server.close(),
};
export type RawServerHandlers = typeof handlers;

serveParent(handlers);
notifyReady({ endpoint: server.endpoint } satisfies ServerReady);
