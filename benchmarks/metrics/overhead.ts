/**
 * Metrics overhead: the same Courier echo service, metrics off and metrics
 * on (@courier/metrics subscribed to every channel, default process metrics,
 * a scrape every second), each in its own process, driven by one client
 * process with 256 requests in flight and 64 B bodies over loopback TCP.
 *
 *   npm run bench:metrics [-- --rounds N] [-- --duration-ms N] [-- --warmup-ms N]
 *
 * Rounds alternate off/on in ABBA order, so drift and noise on the machine
 * hit both alike. Each round's off and on runs are adjacent in time, so their
 * ratio is compared like with like; the headline is the median of those
 * ratios, which one disturbed round cannot move (the pooled ratio is printed
 * too). Takes about 45 s. Progress goes to stderr, results to stdout; the
 * last line is
 *   metrics_overhead=<1 - median over rounds of (req/s metrics on) / (req/s metrics off)>
 *
 * The server's CPU time per request, on versus off, is printed as well: when
 * the client, not the server, limits throughput (a Courier call costs the
 * client more than the server), it is the figure that shows the cost.
 */
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChild } from '../lib/child-process.js';
import { Histogram } from '../lib/histogram.js';
import { formatFixed, formatInt, formatMicros, formatTable } from '../lib/table.js';
import type { ClientHandlers, RoundParams } from './client.js';
import type { ServerHandlers, ServerReady } from './server.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'duration-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
  },
});

function numberFlag(name: 'rounds' | 'duration-ms' | 'warmup-ms', fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}

const config = {
  bodyBytes: 64,
  inflight: 256,
  /** Measured rounds per mode. */
  rounds: numberFlag('rounds', 6),
  warmupMs: numberFlag('warmup-ms', 300),
  durationMs: numberFlag('duration-ms', 2000),
  /** Untimed load on each server first, so both start JIT-warm. */
  primeMs: 1500,
};

type Mode = 'off' | 'on';
interface Tally {
  mode: Mode;
  requests: number;
  durationMs: number;
  latencyUs: Histogram;
  serverCpuMs: number;
  /** Calls the server handled over whole rounds (warm-up included), matching serverCpuMs. */
  serverHandled: number;
  wallMs: number;
  perRound: number[];
}

const newTally = (mode: Mode): Tally => ({
  mode,
  requests: 0,
  durationMs: 0,
  latencyUs: new Histogram(),
  serverCpuMs: 0,
  serverHandled: 0,
  wallMs: 0,
  perRound: [],
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

async function main(): Promise<void> {
  const estimateMs = 2 * config.rounds * (config.warmupMs + config.durationMs) + 2 * config.primeMs + 8000;
  const watchdog = setTimeout(() => {
    log(`metrics overhead: no result after ${Math.round((2 * estimateMs) / 1000)} s; killing children`);
    process.exit(1);
  }, 2 * estimateMs);
  watchdog.unref();
  log(
    `metrics overhead: ${config.rounds} rounds × (off, on) of ${config.warmupMs} ms warm-up + ` +
      `${config.durationMs} ms, ${config.inflight} in flight, ${config.bodyBytes} B; about ${Math.round(estimateMs / 1000)} s`,
  );

  const [off, on] = await Promise.all(
    (['off', 'on'] as const).map((mode) =>
      startChild<ServerHandlers, ServerReady>({
        name: `server-${mode}`,
        script: script('./server.ts'),
        args: [mode],
      }),
    ),
  );
  const servers = { off: off!.child, on: on!.child };
  const { child: client } = await startChild<ClientHandlers>({
    name: 'client',
    script: script('./client.ts'),
    args: [off!.ready.endpoint, on!.ready.endpoint],
  });

  try {
    const round = (target: Mode, warmupMs: number, durationMs: number) =>
      client.call(
        'runRound',
        {
          target,
          bodyBytes: config.bodyBytes,
          inflight: config.inflight,
          warmupMs,
          durationMs,
        } satisfies RoundParams,
        warmupMs + durationMs + 60_000,
      );
    for (const mode of ['off', 'on'] as const) await round(mode, config.primeMs, 100);

    const tallies: Record<Mode, Tally> = { off: newTally('off'), on: newTally('on') };
    for (let i = 0; i < config.rounds; i++) {
      const order: Mode[] = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        const tally = tallies[mode];
        const wallFrom = performance.now();
        const from = await servers[mode].call('usage', undefined);
        const result = await round(mode, config.warmupMs, config.durationMs);
        const to = await servers[mode].call('usage', undefined);
        tally.wallMs += performance.now() - wallFrom;
        tally.serverCpuMs += (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1000;
        tally.serverHandled += to.handled - from.handled;
        tally.requests += result.requests;
        tally.durationMs += result.durationMs;
        tally.latencyUs.merge(Histogram.fromJSON(result.latencyUs));
        tally.perRound.push(result.rps);
        log(
          `[${i + 1}/${config.rounds}] metrics ${mode.padEnd(3)} ${formatInt(result.rps).padStart(8)} req/s`,
        );
      }
    }

    const counted = await servers.on.call('counted', undefined);
    if (counted.requests < tallies.on.requests) {
      throw new Error(
        `metrics counted ${counted.requests} requests, fewer than the ${tallies.on.requests} measured`,
      );
    }
    report(tallies, counted);
  } finally {
    await client.stop();
    await Promise.all([servers.off.stop(), servers.on.stop()]);
    clearTimeout(watchdog);
  }
}

function report(tallies: Record<Mode, Tally>, counted: { requests: number; scrapes: number }): void {
  const rps = (t: Tally) => (t.requests * 1000) / t.durationMs;
  const cpuUs = (t: Tally) => (t.serverCpuMs * 1000) / t.serverHandled;
  const pooledOverhead = 1 - rps(tallies.on) / rps(tallies.off);
  // Server CPU per request is the figure least disturbed by other load on the machine.
  const cpuOverhead = cpuUs(tallies.on) / cpuUs(tallies.off) - 1;
  // Each round's on/off pair, as a check that the pooled figure is not one noisy round.
  const pairRatios = tallies.on.perRound.map((r, i) => r / tallies.off.perRound[i]!).sort((a, b) => a - b);
  const mid = pairRatios.length / 2;
  const medianRatio =
    pairRatios.length % 2 === 1
      ? pairRatios[Math.floor(mid)]!
      : (pairRatios[mid - 1]! + pairRatios[mid]!) / 2;
  const overhead = 1 - medianRatio;
  const rows = [tallies.off, tallies.on];
  process.stdout.write(
    [
      '',
      `Courier echo (core serve/createClient), ${config.bodyBytes} B, ${config.inflight} in flight, client and server in ` +
        `separate processes over loopback TCP; ${config.rounds} × ${config.durationMs} ms per mode, ABBA order.`,
      `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
      `Metrics on: createMetrics() with default process metrics; registry rendered every second (${counted.scrapes} times); ` +
        `it counted ${formatInt(counted.requests)} requests.`,
      '',
      formatTable(
        [
          { header: 'metrics', align: 'left', value: (t: Tally) => t.mode },
          { header: 'req/s', value: (t) => formatInt(rps(t)) },
          { header: 'p50 µs', value: (t) => formatMicros(t.latencyUs.percentile(50)) },
          { header: 'p99 µs', value: (t) => formatMicros(t.latencyUs.percentile(99)) },
          { header: 'server CPU', value: (t) => `${formatInt((t.serverCpuMs / t.wallMs) * 100)}%` },
          { header: 'server CPU µs/req', value: (t) => formatFixed(cpuUs(t), 2) },
          { header: 'rounds (req/s)', align: 'left', value: (t) => t.perRound.map(formatInt).join(' ') },
        ],
        rows,
      ),
      '',
      `per-round on/off req/s ratios: ${pairRatios.map((r) => formatFixed(r, 3)).join(' ')}`,
      `pooled: 1 - on/off req/s = ${formatFixed(pooledOverhead, 3)}`,
      `server CPU per request, on/off - 1: ${formatFixed(cpuOverhead, 3)}`,
      `metrics_overhead=${formatFixed(overhead, 3)}`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  log(`metrics overhead benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
