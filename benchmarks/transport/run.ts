/**
 * Transport benchmark: closed-loop echo over @courier/transport and over a
 * hand-written zeromq.js DEALER/ROUTER baseline (with batching), client and
 * server in separate processes, over loopback TCP.
 *
 *   npm run bench:transport [-- --quick] [-- --json]
 *
 * Options:
 *   --quick              short windows, one round: a smoke run (~15 s)
 *   --json               print one JSON document on stdout instead of tables
 *   --warmup-ms N        warm-up before each measured window (default 400)
 *   --duration-ms N      length of each measured window (default 1500)
 *   --rounds N           measured windows per cell and implementation (default 4)
 *   --impl courier|raw   run one implementation only (no ratios)
 *   --cells 64x256,...   run only these cells (<body bytes>x<in flight>)
 *   --cpu-prof-dir DIR   profile the children: DIR/<impl>-<role>/*.cpuprofile (main thread = largest)
 *
 * Each cell (body size × requests in flight) is measured `rounds` times per
 * implementation, alternating courier/raw in ABBA order so drift and noise on
 * the machine hit both alike; the rounds are pooled (requests summed,
 * histograms merged). The default run takes about 100 s. Progress goes to stderr; results to stdout, the
 * last line being
 *   transport_vs_raw_zmq=<min over 64 B, 1 KiB of courier/raw req/s at 256 in flight>
 *   p50_w1_vs_raw=<courier/raw p50 latency at 1 in flight, 1 KiB>
 */
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ChildRef, startChild } from '../lib/child-process.js';
import { Histogram } from '../lib/histogram.js';
import { formatFixed, formatInt, formatMicros, formatTable } from '../lib/table.js';
import { IMPLS, type Impl, parseImpl } from './echo.js';
import type { CellParams, ClientHandlers } from './echo-client.js';
import type { ServerHandlers, ServerReady } from './echo-server.js';

const BODY_SIZES = [64, 1024] as const;
const INFLIGHT = [1, 16, 256] as const;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'warmup-ms': { type: 'string' },
    'duration-ms': { type: 'string' },
    rounds: { type: 'string' },
    impl: { type: 'string' },
    cells: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
  },
});

const config = {
  warmupMs: numberFlag('warmup-ms', flags.quick ? 100 : 400),
  durationMs: numberFlag('duration-ms', flags.quick ? 300 : 1500),
  rounds: numberFlag('rounds', flags.quick ? 1 : 4),
  /** Untimed load per client before the first cell, so both start JIT-warm. */
  primeMs: flags.quick ? 300 : 1500,
  impls: flags.impl === undefined ? IMPLS : [parseImpl(flags.impl)],
};

interface Cell {
  bodyBytes: number;
  inflight: number;
}
const cells: Cell[] = BODY_SIZES.flatMap((bodyBytes) =>
  INFLIGHT.map((inflight) => ({ bodyBytes, inflight })),
).filter(
  (cell) =>
    flags.cells === undefined || flags.cells.split(',').includes(`${cell.bodyBytes}x${cell.inflight}`),
);
if (cells.length === 0) throw new Error(`--cells ${flags.cells} selects no cell`);

/** Accumulated measurements of one implementation in one cell. */
interface Tally {
  impl: Impl;
  cell: Cell;
  requests: number;
  durationMs: number;
  latencyUs: Histogram;
  /** Client CPU time in the measured windows. */
  clientCpuMs: number;
  /** Server CPU time over whole segments (warm-up included) ... */
  serverCpuMs: number;
  /** ... and the requests it served in them. */
  serverRequests: number;
  serverWallMs: number;
}

interface Pair {
  impl: Impl;
  server: ChildRef<ServerHandlers>;
  client: ChildRef<ClientHandlers>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function numberFlag(name: string, fallback: number): number {
  const raw = flags[name as keyof typeof flags];
  if (raw === undefined || typeof raw === 'boolean') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}

function profileArgv(impl: Impl, role: string): string[] {
  const dir = flags['cpu-prof-dir'];
  // One directory per process: with tsx, module hooks run on a second thread,
  // which writes its own (nearly idle) profile next to the main thread's.
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(dir, `${impl}-${role}`)}`];
}

async function startPair(impl: Impl): Promise<Pair> {
  const { child: server, ready } = await startChild<ServerHandlers, ServerReady>({
    name: `${impl}-server`,
    script: fileURLToPath(new URL('./echo-server.ts', import.meta.url)),
    args: [impl],
    execArgv: profileArgv(impl, 'server'),
  });
  const { child: client } = await startChild<ClientHandlers>({
    name: `${impl}-client`,
    script: fileURLToPath(new URL('./echo-client.ts', import.meta.url)),
    args: [impl, ready.endpoint],
    execArgv: profileArgv(impl, 'client'),
  });
  log(`${impl}: server on ${ready.endpoint} (pid ${server.process.pid}), client pid ${client.process.pid}`);
  return { impl, server, client };
}

async function measure(pair: Pair, params: CellParams, tally: Tally | undefined): Promise<void> {
  const wallFrom = performance.now();
  const cpuFrom = await pair.server.call('cpuUsage', undefined);
  const result = await pair.client.call('runCell', params, params.warmupMs + params.durationMs + 60_000);
  const cpuTo = await pair.server.call('cpuUsage', undefined);
  if (tally === undefined) return;
  tally.requests += result.requests;
  tally.durationMs += result.durationMs;
  tally.latencyUs.merge(Histogram.fromJSON(result.latencyUs));
  tally.clientCpuMs += (result.cpuPercent / 100) * result.durationMs;
  tally.serverCpuMs += (cpuTo.user - cpuFrom.user + cpuTo.system - cpuFrom.system) / 1000;
  tally.serverRequests += result.totalRequests;
  tally.serverWallMs += performance.now() - wallFrom;
}

const rps = (t: Tally) => (t.requests * 1000) / t.durationMs;
/** CPU µs per request (both ZeroMQ threads included): robust to other load on the machine. */
const clientCpuUs = (t: Tally) => (t.clientCpuMs * 1000) / t.requests;
const serverCpuUs = (t: Tally) => (t.serverCpuMs * 1000) / t.serverRequests;
const p = (t: Tally, q: number) => t.latencyUs.percentile(q);
const sizeLabel = (bytes: number) => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);

async function main(): Promise<void> {
  const segments = cells.length * config.impls.length * config.rounds;
  const estimateMs =
    segments * (config.warmupMs + config.durationMs) + config.impls.length * (config.primeMs + 5000);
  // The benchmark must end by itself: past twice the estimate something hangs.
  const watchdog = setTimeout(
    () => {
      log(`transport benchmark: no result after ${Math.round((2 * estimateMs) / 1000)} s; killing children`);
      process.exit(1);
    },
    Math.max(2 * estimateMs, 60_000),
  );
  watchdog.unref();
  log(
    `transport benchmark: ${cells.length} cells × ${config.impls.join('+')} × ${config.rounds} rounds of ` +
      `${config.warmupMs} ms warm-up + ${config.durationMs} ms; about ${Math.round(estimateMs / 1000)} s`,
  );

  const pairs = new Map<Impl, Pair>();
  try {
    for (const impl of config.impls) pairs.set(impl, await startPair(impl));
    for (const pair of pairs.values()) {
      const prime = { bodyBytes: 1024, inflight: 64, warmupMs: config.primeMs, durationMs: 100 };
      await measure(pair, prime, undefined);
    }

    const tallies: Tally[] = [];
    let done = 0;
    for (const [index, cell] of cells.entries()) {
      const byImpl = new Map<Impl, Tally>();
      for (const impl of config.impls) {
        const tally: Tally = {
          impl,
          cell,
          requests: 0,
          durationMs: 0,
          latencyUs: new Histogram(),
          clientCpuMs: 0,
          serverCpuMs: 0,
          serverRequests: 0,
          serverWallMs: 0,
        };
        byImpl.set(impl, tally);
        tallies.push(tally);
      }
      for (let round = 0; round < config.rounds; round++) {
        // ABBA: courier,raw then raw,courier, shifting by cell, so neither
        // implementation always runs first or right after the other.
        const order = (index + round) % 2 === 0 ? config.impls : [...config.impls].reverse();
        for (const impl of order) {
          const params: CellParams = { ...cell, warmupMs: config.warmupMs, durationMs: config.durationMs };
          const tally = byImpl.get(impl)!;
          const before = tally.requests;
          await measure(pairs.get(impl)!, params, tally);
          done++;
          const n = tally.requests - before;
          log(
            `[${String(done).padStart(2)}/${segments}] ${impl.padEnd(7)} ${sizeLabel(cell.bodyBytes).padStart(6)} ` +
              `×${String(cell.inflight).padEnd(3)} ${formatInt((n * 1000) / config.durationMs).padStart(8)} req/s`,
          );
        }
      }
    }
    report(tallies);
  } finally {
    await Promise.all([...pairs.values()].map((pair) => pair.client.stop()));
    await Promise.all([...pairs.values()].map((pair) => pair.server.stop()));
    clearTimeout(watchdog);
  }
}

function report(tallies: Tally[]): void {
  const find = (impl: Impl, bodyBytes: number, inflight: number) =>
    tallies.find((t) => t.impl === impl && t.cell.bodyBytes === bodyBytes && t.cell.inflight === inflight);
  const ratios = cells.flatMap((cell) => {
    const c = find('courier', cell.bodyBytes, cell.inflight);
    const r = find('raw', cell.bodyBytes, cell.inflight);
    if (c === undefined || r === undefined) return [];
    return [
      {
        cell,
        rps: rps(c) / rps(r),
        p50: p(c, 50) / p(r, 50),
        p99: p(c, 99) / p(r, 99),
        cpu: (clientCpuUs(c) + serverCpuUs(c)) / (clientCpuUs(r) + serverCpuUs(r)),
      },
    ];
  });
  const at = (bodyBytes: number, inflight: number) =>
    ratios.find((x) => x.cell.bodyBytes === bodyBytes && x.cell.inflight === inflight);
  const throughputRatio = Math.min(at(64, 256)?.rps ?? Number.NaN, at(1024, 256)?.rps ?? Number.NaN);
  const latencyRatio = at(1024, 1)?.p50 ?? Number.NaN;
  const summary = `transport_vs_raw_zmq=${formatFixed(throughputRatio, 3)} p50_w1_vs_raw=${formatFixed(latencyRatio, 3)}`;

  if (flags.json) {
    const doc = {
      benchmark: 'transport',
      date: new Date().toISOString(),
      machine: { nproc: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
      config,
      results: tallies.map((t) => ({
        impl: t.impl,
        bodyBytes: t.cell.bodyBytes,
        inflight: t.cell.inflight,
        requests: t.requests,
        durationMs: t.durationMs,
        rps: rps(t),
        latencyUs: {
          p50: p(t, 50),
          p90: p(t, 90),
          p99: p(t, 99),
          max: t.latencyUs.max,
          mean: t.latencyUs.mean,
        },
        clientCpuPercent: (t.clientCpuMs / t.durationMs) * 100,
        serverCpuPercent: (t.serverCpuMs / t.serverWallMs) * 100,
        clientCpuUsPerRequest: clientCpuUs(t),
        serverCpuUsPerRequest: serverCpuUs(t),
      })),
      ratios: ratios.map((x) => ({
        bodyBytes: x.cell.bodyBytes,
        inflight: x.cell.inflight,
        rps: x.rps,
        p50: x.p50,
        p99: x.p99,
        cpuPerRequest: x.cpu,
      })),
      transport_vs_raw_zmq: throughputRatio,
      p50_w1_vs_raw: latencyRatio,
      summary,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }

  const out: string[] = [];
  out.push(
    '',
    `Closed-loop echo over loopback TCP, client and server in separate processes; ` +
      `${config.rounds} × ${config.durationMs} ms measured per row (after ${config.warmupMs} ms warm-up each).`,
    'courier = @courier/transport (defaults); raw = zeromq.js DEALER/ROUTER, batched per event-loop turn.',
    'CPU = % of one core; CPU µs/req = process CPU time (ZeroMQ I/O thread included) per request',
    '(client: measured windows; server: whole segments incl. warm-up). CPU time per request is the',
    'figure least disturbed by other load on the machine.',
    '',
    formatTable(
      [
        { header: 'body', value: (t: Tally) => sizeLabel(t.cell.bodyBytes) },
        { header: 'in flight', value: (t) => String(t.cell.inflight) },
        { header: 'impl', align: 'left', value: (t) => t.impl },
        { header: 'req/s', value: (t) => formatInt(rps(t)) },
        { header: 'p50 µs', value: (t) => formatMicros(p(t, 50)) },
        { header: 'p99 µs', value: (t) => formatMicros(p(t, 99)) },
        { header: 'client CPU', value: (t) => `${formatInt((t.clientCpuMs / t.durationMs) * 100)}%` },
        { header: 'server CPU', value: (t) => `${formatInt((t.serverCpuMs / t.serverWallMs) * 100)}%` },
        { header: 'client CPU µs/req', value: (t) => formatFixed(clientCpuUs(t), 2) },
        { header: 'server CPU µs/req', value: (t) => formatFixed(serverCpuUs(t), 2) },
      ],
      tallies,
    ),
  );
  if (ratios.length > 0) {
    out.push(
      '',
      formatTable(
        [
          { header: 'body', value: (x: (typeof ratios)[number]) => sizeLabel(x.cell.bodyBytes) },
          { header: 'in flight', value: (x) => String(x.cell.inflight) },
          { header: 'req/s courier/raw', value: (x) => formatFixed(x.rps, 3) },
          { header: 'p50 courier/raw', value: (x) => formatFixed(x.p50, 3) },
          { header: 'p99 courier/raw', value: (x) => formatFixed(x.p99, 3) },
          { header: 'CPU/req courier/raw', value: (x) => formatFixed(x.cpu, 3) },
        ],
        ratios,
      ),
      '',
      summary,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  log(`transport benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
