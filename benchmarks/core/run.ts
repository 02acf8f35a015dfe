/**
 * Core benchmark: the service API as users run it (a zod-validated service
 * served with `serve`, called through `createClient`, default options and
 * codec) against hand-batched raw zeromq.js, in one run, each as a server and
 * a client process over loopback TCP, all under plain node on the built
 * packages (dist/).
 *
 *   npm run bench:core                 (builds, then about 100 s)
 *   BENCH_QUICK=1 npm run bench:core   (CI smoke: one short round per cell)
 *   npm run bench:core -- --tracing    (adds core-off and core-sdk: the cost of tracing, see below)
 *   BENCH_CELL=64x256 BENCH_CPU_PROF_DIR=/tmp/prof node node_modules/.cache/courier-bench/core/run.js
 *                                      (one cell, each child under --cpu-prof, for profiling)
 *
 * Cells: 64 B and 1 KiB payloads (a string field; raw sends as many bytes)
 * × 1, 16 and 256 in flight, 3 rounds, core and raw alternating in ABBA
 * order. Prints req/s, p50, p99 and CPU per request (server and client), the
 * service's RSS at idle and after the 256-in-flight cells, and ends with
 *   core_vs_raw_zmq=<lower of the 64 B and 1 KiB req/s ratios at 256>
 *   core_cpu_per_req_vs_raw=<higher of the two CPU-per-request ratios at 256>
 *   core_p50_w1_vs_raw=<p50 ratio at 1 in flight, 1 KiB>
 *
 * With --tracing (or BENCH_TRACING=1) each round also runs `core-off`
 * (COURIER_TRACING=off: core never asks the OpenTelemetry API) and
 * `core-sdk` (an SDK in both processes, every span sampled, a no-op
 * exporter); `core` itself is the API with no SDK. It adds a table of their
 * CPU per request (server + client) against core-off, and ends with
 *   tracing_nosdk_cpu_vs_off=<higher of the 64 B and 1 KiB ratios at 256>
 *   tracing_sdk_cpu_vs_off=<the same for core-sdk>
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type ChildRef, siblingScript, startChild } from '../lib/child-process.js';
import { formatFixed, formatInt, formatMicros, formatTable } from '../lib/table.js';
import type { Cell } from '../transport/options.js';
import { type Comparison, compare, Tally } from '../transport/tally.js';
import type { CoreClientHandlers } from './client.js';
import type { CoreServerHandlers, CoreServerReady } from './server.js';
import type { CoreImpl } from './service.js';

const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const config = {
  sizes: [64, 1024],
  inflights: [1, 16, 256],
  rounds: quick ? 1 : 3,
  warmupMs: quick ? 200 : 500,
  durationMs: quick ? 500 : 2000,
  primeMs: quick ? 300 : 1500,
  cpuProfDir: process.env.BENCH_CPU_PROF_DIR,
  /** `<bytes>x<in flight>`: run that cell alone (no summary line). */
  only: process.env.BENCH_CELL,
};
const tracing = process.env.BENCH_TRACING === '1' || process.argv.includes('--tracing');
const IMPLS: readonly CoreImpl[] = tracing ? ['core-off', 'core', 'core-sdk', 'raw'] : ['core', 'raw'];

interface Pair {
  server: ChildRef<CoreServerHandlers>;
  client: ChildRef<CoreClientHandlers>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (bytes: number) => `${formatFixed(bytes / 2 ** 20, 1)} MB`;

async function startPair(impl: CoreImpl): Promise<Pair> {
  const profile = (role: string) =>
    config.cpuProfDir === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${join(config.cpuProfDir, `${impl}-${role}`)}`];
  const { child: server, ready } = await startChild<CoreServerHandlers, CoreServerReady>({
    name: `${impl}-server`,
    script: siblingScript(import.meta.url, 'server'),
    args: [impl],
    execArgv: ['--expose-gc', ...profile('server')],
  });
  const { child: client } = await startChild<CoreClientHandlers>({
    name: `${impl}-client`,
    script: siblingScript(import.meta.url, 'client'),
    args: [impl, ready.endpoint],
    execArgv: profile('client'),
  });
  log(`${impl}: server ${ready.endpoint} (pid ${server.process.pid}), client pid ${client.process.pid}`);
  return { server, client };
}

async function measure(pair: Pair, cell: Cell, warmupMs: number, durationMs: number, tally?: Tally) {
  const wallFrom = performance.now();
  const cpuFrom = await pair.server.call('cpuUsage', undefined);
  const result = await pair.client.call(
    'runCell',
    { ...cell, warmupMs, durationMs },
    warmupMs + durationMs + 60_000,
  );
  const cpuTo = await pair.server.call('cpuUsage', undefined);
  tally?.add(
    result,
    (cpuTo.user - cpuFrom.user + cpuTo.system - cpuFrom.system) / 1000,
    performance.now() - wallFrom,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg();
  // Default options, but the info-level startup line would land in this report.
  process.env.COURIER_LOG_LEVEL ??= 'warn';
  const cells: Cell[] = config.sizes
    .flatMap((bodyBytes) => config.inflights.map((inflight) => ({ bodyBytes, inflight })))
    .filter((c) => config.only === undefined || `${c.bodyBytes}x${c.inflight}` === config.only);
  const estimateMs = cells.length * IMPLS.length * config.rounds * (config.warmupMs + config.durationMs);
  log(
    `core benchmark: ${cells.length} cells × core+raw × ${config.rounds} rounds; about ${Math.round(estimateMs / 1000) + 10} s`,
  );
  const watchdog = setTimeout(
    () => {
      log('core benchmark: taking far longer than estimated; killing the child processes');
      process.exit(1);
    },
    2 * estimateMs + 60_000,
  );
  watchdog.unref();

  const pairs = new Map<CoreImpl, Pair>();
  try {
    for (const impl of IMPLS) pairs.set(impl, await startPair(impl));
    const idleRss = await pairs.get('core')!.server.call('rss', undefined);
    for (const pair of pairs.values()) {
      await measure(pair, { bodyBytes: 1024, inflight: 64 }, config.primeMs, 100);
    }
    const tallies = new Map<Cell, Map<CoreImpl, Tally>>();
    let afterRss = 0;
    let done = 0;
    for (const [index, cell] of cells.entries()) {
      // Tally's labels: 'courier' is the service API here.
      const byImpl = new Map<CoreImpl, Tally>(
        IMPLS.map((impl) => [impl, new Tally(impl === 'raw' ? 'raw' : 'courier', cell)]),
      );
      tallies.set(cell, byImpl);
      for (let round = 0; round < config.rounds; round++) {
        // ABBA with two, rotated with four: each position in turn, so drift in the machine's load spreads evenly.
        const shift = (index + round) % IMPLS.length;
        const rotated = [...IMPLS.slice(shift), ...IMPLS.slice(0, shift)];
        const order = IMPLS.length === 2 && shift === 1 ? [...IMPLS].reverse() : rotated;
        for (const impl of order) {
          const tally = byImpl.get(impl)!;
          await measure(pairs.get(impl)!, cell, config.warmupMs, config.durationMs, tally);
          log(
            `[${String(++done).padStart(2)}/${cells.length * IMPLS.length * config.rounds}] ${impl.padEnd(8)} ` +
              `${String(cell.bodyBytes).padStart(4)} B ×${String(cell.inflight).padEnd(3)} ` +
              `${formatInt(tally.segments.at(-1)!.rps).padStart(9)} req/s`,
          );
        }
      }
      if (cell.inflight === 256) {
        afterRss = Math.max(afterRss, await pairs.get('core')!.server.call('rss', undefined));
      }
    }
    process.stdout.write(
      report(cells, tallies, { idleRss, afterRss }, loadAtStart, (performance.now() - started) / 1000),
    );
  } finally {
    await Promise.all([...pairs.values()].map((pair) => pair.client.stop()));
    await Promise.all([...pairs.values()].map((pair) => pair.server.stop()));
    clearTimeout(watchdog);
  }
}

function report(
  cells: Cell[],
  tallies: Map<Cell, Map<CoreImpl, Tally>>,
  rss: { idleRss: number; afterRss: number },
  loadAtStart: number[],
  seconds: number,
): string {
  const rows = cells.flatMap((cell) => IMPLS.map((impl) => ({ impl, tally: tallies.get(cell)!.get(impl)! })));
  const comparisons = new Map<Cell, Comparison>(
    cells.map((cell) => [cell, compare(tallies.get(cell)!.get('core')!, tallies.get(cell)!.get('raw')!)]),
  );
  const at = (bodyBytes: number, inflight: number) =>
    comparisons.get(cells.find((c) => c.bodyBytes === bodyBytes && c.inflight === inflight)!)!;
  const size = (bytes: number) => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  return [
    '',
    `Service API (zod schemas, default codec, serve/createClient) vs hand-batched raw zeromq.js; dist/ under node ${process.version}.`,
    `${config.rounds} × (${config.warmupMs} ms warm-up + ${config.durationMs} ms) per cell and implementation, ${IMPLS.length === 2 ? 'ABBA' : 'rotating'} order.`,
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}); load average ` +
      `${load(loadAtStart)} at start, ${load(loadavg())} at end; ${formatFixed(seconds, 0)} s in all.`,
    '',
    formatTable(
      [
        { header: 'impl', align: 'left', value: (r: (typeof rows)[number]) => r.impl },
        { header: 'size', value: (r) => size(r.tally.cell.bodyBytes) },
        { header: 'in flight', value: (r) => String(r.tally.cell.inflight) },
        { header: 'req/s', value: (r) => formatInt(r.tally.rps) },
        { header: 'p50 µs', value: (r) => formatMicros(r.tally.percentile(50)) },
        { header: 'p99 µs', value: (r) => formatMicros(r.tally.percentile(99)) },
        { header: 'server µs/req', value: (r) => formatMicros(r.tally.serverCpuUs) },
        { header: 'client µs/req', value: (r) => formatMicros(r.tally.clientCpuUs) },
      ],
      rows,
    ),
    '',
    formatTable(
      [
        { header: 'size', value: (c: Comparison) => size(c.cell.bodyBytes) },
        { header: 'in flight', value: (c) => String(c.cell.inflight) },
        { header: 'core/raw req/s', value: (c) => formatFixed(c.rps, 2) },
        { header: 'p50', value: (c) => formatFixed(c.p50, 2) },
        { header: 'p99', value: (c) => formatFixed(c.p99, 2) },
        { header: 'CPU/req', value: (c) => formatFixed(c.cpu, 2) },
      ],
      [...comparisons.values()],
    ),
    '',
    `service RSS: ${mb(rss.idleRss)} at idle, ${mb(rss.afterRss)} after the 256-in-flight cells (after a GC)`,
    cells.length < 6
      ? '(one cell only: no summary line)'
      : `core_vs_raw_zmq=${formatFixed(Math.min(at(64, 256).rps, at(1024, 256).rps), 3)} ` +
        `core_cpu_per_req_vs_raw=${formatFixed(Math.max(at(64, 256).cpu, at(1024, 256).cpu), 3)} ` +
        `core_p50_w1_vs_raw=${formatFixed(at(1024, 1).p50, 3)}`,
    ...(tracing ? tracingReport(cells, tallies) : []),
    '',
  ].join('\n');
}

/** CPU per request (server + client) and req/s of `core` (API, no SDK) and `core-sdk` against `core-off`. */
function tracingReport(cells: Cell[], tallies: Map<Cell, Map<CoreImpl, Tally>>): string[] {
  const rows = cells.map((cell) => {
    const t = tallies.get(cell)!;
    const off = t.get('core-off')!;
    const nosdk = compare(t.get('core')!, off);
    const sdk = compare(t.get('core-sdk')!, off);
    return { cell, nosdk, sdk, offCpu: off.serverCpuUs + off.clientCpuUs };
  });
  const worst = (pick: (r: (typeof rows)[number]) => number) =>
    formatFixed(Math.max(...rows.filter((r) => r.cell.inflight === 256).map(pick)), 3);
  return [
    '',
    'Tracing: core = OpenTelemetry API with no SDK; core-sdk = SDK, every span sampled, no-op exporter; both against core-off.',
    formatTable(
      [
        { header: 'size', value: (r: (typeof rows)[number]) => String(r.cell.bodyBytes) },
        { header: 'in flight', value: (r) => String(r.cell.inflight) },
        { header: 'off µs/req', value: (r) => formatMicros(r.offCpu) },
        { header: 'no-SDK CPU/req', value: (r) => formatFixed(r.nosdk.cpu, 3) },
        { header: 'no-SDK req/s', value: (r) => formatFixed(r.nosdk.rps, 3) },
        { header: 'SDK CPU/req', value: (r) => formatFixed(r.sdk.cpu, 3) },
        { header: 'SDK req/s', value: (r) => formatFixed(r.sdk.rps, 3) },
      ],
      rows,
    ),
    '',
    `tracing_nosdk_cpu_vs_off=${worst((r) => r.nosdk.cpu)} tracing_sdk_cpu_vs_off=${worst((r) => r.sdk.cpu)}`,
  ];
}

main().catch((err: unknown) => {
  log(`core benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
