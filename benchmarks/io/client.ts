/**
 * Child process: a Courier client of the io-bench server at argv[2]. Runs
 * one closed-loop round at a time on the method the parent names, and
 * measures its own event-loop lag over the round's measured window.
 */
import { createClient } from '@courier/core';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { runClosedLoop } from '../lib/closed-loop.js';
import type { HistogramSnapshot } from '../lib/histogram.js';
import { LagMonitor, type LagSummary } from './lag.js';
import { schedTimes, waitingPercent } from './run-queue.js';
import { type IoMethod, ioBench } from './service.js';

const endpoint = process.argv[2];
if (endpoint === undefined) throw new Error('usage: client.ts <endpoint>');
// A deadline far above any latency a healthy run sees: a call that misses it fails the benchmark.
const client = createClient(ioBench, { endpoints: [endpoint], deadlineMs: 30_000 });
const lag = new LagMonitor();

export interface RoundParams {
  method: IoMethod;
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export interface RoundResult {
  requests: number;
  durationMs: number;
  rps: number;
  latencyUs: HistogramSnapshot;
  cpuPercent: number;
  lag: LagSummary;
  /** Time the event loop was ready to run but had no CPU, in % of the measured window (Linux only). */
  runQueuePercent: number;
}

async function runRound(params: RoundParams): Promise<RoundResult> {
  let next = 0;
  let window: { at: number; sched: ReturnType<typeof schedTimes> } | undefined;
  const windowTimer = setTimeout(() => {
    lag.start();
    window = { at: performance.now(), sched: schedTimes() };
  }, params.warmupMs);
  try {
    const result = await runClosedLoop({
      inflight: params.inflight,
      warmupMs: params.warmupMs,
      durationMs: params.durationMs,
      call: async () => {
        const id = next++;
        const reply = await client[params.method]({ id });
        if (reply.id !== id || reply.done !== true) {
          throw new Error(`${params.method}(${id}) answered ${JSON.stringify(reply)}`);
        }
      },
    });
    return {
      requests: result.requests,
      durationMs: result.durationMs,
      rps: result.rps,
      latencyUs: result.latencyUs.toJSON(),
      cpuPercent: result.cpuPercent,
      lag: lag.stop(),
      runQueuePercent:
        window === undefined
          ? Number.NaN
          : waitingPercent(window.sched, schedTimes(), performance.now() - window.at),
    };
  } finally {
    clearTimeout(windowTimer);
  }
}

const handlers = { runRound, shutdown: () => client.$close() };
export type ClientHandlers = typeof handlers;

// Ready once a round trip worked: the connection is up and both ends answer.
await client.echo({ id: -1 });
serveParent(handlers);
notifyReady();
