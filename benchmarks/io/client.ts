/**
 * Child process: a Courier client of the io-bench server at argv[2] (or,
 * with argv[3] `raw`, a hand-batched zeromq.js client of raw-server.ts). Runs
 * one closed-loop round at a time on the method the parent names, and
 * measures its own event-loop lag over the round's measured window.
 */
import { createClient } from '@courier/core';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { runClosedLoop } from '../lib/closed-loop.js';
import type { HistogramSnapshot } from '../lib/histogram.js';
import { RawEchoClient } from '../transport/raw-echo.js';
import { LagMonitor, type LagSummary } from './lag.js';
import { schedTimes, waitingPercent } from './run-queue.js';
import { type IoMethod, ioBench } from './service.js';

const endpoint = process.argv[2];
if (endpoint === undefined) throw new Error('usage: client.ts <endpoint> [raw]');
const raw = process.argv[3] === 'raw';
// A deadline far above any latency a healthy run sees: a call that misses it fails the benchmark.
const client = raw ? undefined : createClient(ioBench, { endpoints: [endpoint], deadlineMs: 30_000 });
const rawClient = raw ? new RawEchoClient(endpoint) : undefined;

/** One call with id `id`; rejects unless the reply carries it back. */
async function callOnce(method: IoMethod, id: number): Promise<void> {
  if (rawClient !== undefined) {
    const body = Buffer.allocUnsafe(4);
    body.writeInt32LE(id);
    const reply = await rawClient.echo(body);
    if (reply.length !== 4 || reply.readInt32LE() !== id) throw new Error(`raw(${id}) answered wrongly`);
    return;
  }
  const reply = await client![method]({ id });
  if (reply.id !== id || reply.done !== true) {
    throw new Error(`${method}(${id}) answered ${JSON.stringify(reply)}`);
  }
}
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
      call: () => callOnce(params.method, next++ | 0),
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

const handlers = { runRound, shutdown: () => (rawClient ? rawClient.close() : client!.$close()) };
export type ClientHandlers = typeof handlers;

// Ready once a round trip worked: the connection is up and both ends answer.
await callOnce('echo', -1);
serveParent(handlers);
notifyReady();
