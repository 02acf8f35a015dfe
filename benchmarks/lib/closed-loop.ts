import { performance } from 'node:perf_hooks';
import { Histogram } from './histogram.js';

export interface ClosedLoopOptions {
  /** Requests kept in flight: each slot sends its next request as soon as its previous reply arrives. */
  inflight: number;
  /** Time run at full load before measuring starts, in ms. */
  warmupMs: number;
  /** Length of the measured window, in ms. */
  durationMs: number;
  /** Sends one request; resolves when its reply arrived, rejects if the reply is wrong. */
  call: () => Promise<unknown>;
}

export interface ClosedLoopResult {
  /** Replies that arrived inside the measured window. */
  requests: number;
  /** Replies that arrived from the start, warm-up included. */
  totalRequests: number;
  durationMs: number;
  /** requests / durationMs, per second. */
  rps: number;
  /** Latency in µs (send to reply) of every request counted in `requests`. */
  latencyUs: Histogram;
  /** CPU time this process used during the measured window, as % of one core. */
  cpuPercent: number;
}

/**
 * Drives a closed-loop load: `inflight` independent slots, each with one
 * request outstanding at a time. Measures the replies that arrive in the
 * window `[warmupMs, warmupMs + durationMs)` after the start, so throughput is
 * steady-state and every counted request has a latency sample.
 *
 * The clock is read only when a reply arrives, not by timers, so the window
 * also closes under a load that starves the event loop's timer phase.
 *
 * @example
 * const r = await runClosedLoop({ inflight: 16, warmupMs: 500, durationMs: 2000, call: () => client.echo(buf) });
 * console.log(r.rps, r.latencyUs.percentile(99));
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { inflight, warmupMs, durationMs, call } = options;
  if (!(inflight >= 1) || !(durationMs > 0) || !(warmupMs >= 0)) {
    throw new RangeError(
      `invalid closed-loop options: ${JSON.stringify({ inflight, warmupMs, durationMs })}`,
    );
  }
  const latencyUs = new Histogram();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const measureTo = measureFrom + durationMs;
  let requests = 0;
  let totalRequests = 0;
  let cpuFrom: NodeJS.CpuUsage | undefined;
  let cpuUsed: NodeJS.CpuUsage | undefined;
  let failure: unknown;

  const slot = async (): Promise<void> => {
    while (failure === undefined) {
      const sentAt = performance.now();
      if (sentAt >= measureTo) break;
      try {
        await call();
      } catch (err) {
        failure ??= err;
        break;
      }
      const now = performance.now();
      totalRequests++;
      if (now < measureFrom) continue;
      if (now < measureTo) {
        cpuFrom ??= process.cpuUsage();
        requests++;
        latencyUs.record((now - sentAt) * 1000);
      } else {
        if (cpuFrom !== undefined) cpuUsed ??= process.cpuUsage(cpuFrom);
        break;
      }
    }
  };

  await Promise.all(Array.from({ length: inflight }, slot));
  if (failure !== undefined) throw failure;
  const cpu = cpuUsed ?? (cpuFrom === undefined ? { user: 0, system: 0 } : process.cpuUsage(cpuFrom));
  return {
    requests,
    totalRequests,
    durationMs,
    rps: (requests * 1000) / durationMs,
    latencyUs,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / durationMs) * 100,
  };
}

export interface EchoLoopOptions extends Omit<ClosedLoopOptions, 'call'> {
  /** Size of the body each call sends. */
  bodyBytes: number;
  /** One echo call: resolves with what came back. */
  echo(body: Buffer): Promise<Uint8Array>;
}

/**
 * A closed loop of echo calls with one reused body; a reply of the wrong
 * size fails the run, so a broken echo can never pass as a fast one.
 */
export function runEchoLoop({ bodyBytes, echo, ...loop }: EchoLoopOptions): Promise<ClosedLoopResult> {
  const body = Buffer.alloc(bodyBytes, 0x61);
  return runClosedLoop({
    ...loop,
    call: async () => {
      const reply = await echo(body);
      if (reply.length !== body.length)
        throw new Error(`echo returned ${reply.length} bytes, sent ${body.length}`);
    },
  });
}
