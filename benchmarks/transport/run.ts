/**
 * Transport benchmark: closed-loop echo over @courier/transport and over a
 * hand-written zeromq.js DEALER/ROUTER baseline (with batching), client and
 * server in separate processes, over loopback TCP.
 *
 *   npm run bench:transport [-- --quick] [-- --json]     (options: see USAGE in options.ts)
 *
 * Each cell (body size × requests in flight) is measured `rounds` times per
 * implementation, courier and raw alternating in ABBA order so that drift and
 * noise on the machine hit both alike; each round has its own warm-up. The
 * default run takes about 100 s. Progress goes to stderr, results to stdout,
 * whose last line is
 *   transport_vs_raw_zmq=<the lower of courier/raw req/s at 256 in flight, 64 B and 1 KiB>
 *   p50_w1_vs_raw=<courier/raw p50 latency at 1 in flight, 1 KiB>
 * Every child process is killed when this one exits, fails or is interrupted.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildRef, startChild } from '../lib/child-process.js';
import { formatInt } from '../lib/table.js';
import type { Impl } from './echo.js';
import type { CellParams, ClientHandlers } from './echo-client.js';
import type { ServerHandlers, ServerReady } from './echo-server.js';
import { type BenchOptions, type Cell, parseOptions } from './options.js';
import { jsonReport, sizeLabel, textReport } from './report.js';
import { type Comparison, compare, Tally } from './tally.js';

/** A server process and the client process that loads it. */
interface Pair {
  impl: Impl;
  server: ChildRef<ServerHandlers>;
  client: ChildRef<ClientHandlers>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function startPair(options: BenchOptions, impl: Impl): Promise<Pair> {
  // One profile directory per process: with tsx, module hooks run on a second
  // thread, which writes its own (nearly idle) profile next to the main one.
  const profile = (role: string) =>
    options.cpuProfDir === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfDir, `${impl}-${role}`)}`];
  const { child: server, ready } = await startChild<ServerHandlers, ServerReady>({
    name: `${impl}-server`,
    script: fileURLToPath(new URL('./echo-server.ts', import.meta.url)),
    args: [impl],
    execArgv: profile('server'),
  });
  const { child: client } = await startChild<ClientHandlers>({
    name: `${impl}-client`,
    script: fileURLToPath(new URL('./echo-client.ts', import.meta.url)),
    args: [impl, ready.endpoint],
    execArgv: profile('client'),
  });
  log(`${impl}: server ${ready.endpoint} (pid ${server.process.pid}), client pid ${client.process.pid}`);
  return { impl, server, client };
}

/** Runs one round on `pair`; adds it to `tally` unless this is the untimed priming run. */
async function measure(pair: Pair, params: CellParams, tally?: Tally): Promise<void> {
  const wallFrom = performance.now();
  const cpuFrom = await pair.server.call('cpuUsage', undefined);
  const result = await pair.client.call('runCell', params, params.warmupMs + params.durationMs + 60_000);
  const cpuTo = await pair.server.call('cpuUsage', undefined);
  const serverCpuMs = (cpuTo.user - cpuFrom.user + cpuTo.system - cpuFrom.system) / 1000;
  tally?.add(result, serverCpuMs, performance.now() - wallFrom);
}

async function runCells(options: BenchOptions, pairs: Map<Impl, Pair>): Promise<Tally[]> {
  const total = options.cells.length * options.impls.length * options.rounds;
  const tallies: Tally[] = [];
  let done = 0;
  for (const [index, cell] of options.cells.entries()) {
    const byImpl = new Map(options.impls.map((impl) => [impl, new Tally(impl, cell)]));
    tallies.push(...byImpl.values());
    for (let round = 0; round < options.rounds; round++) {
      // ABBA, shifted by cell: neither implementation always goes first.
      const order = (index + round) % 2 === 0 ? options.impls : [...options.impls].reverse();
      for (const impl of order) {
        const tally = byImpl.get(impl)!;
        await measure(
          pairs.get(impl)!,
          { ...cell, warmupMs: options.warmupMs, durationMs: options.durationMs },
          tally,
        );
        const rps = tally.segments.at(-1)!.rps;
        log(
          `[${String(++done).padStart(2)}/${total}] ${impl.padEnd(7)} ${sizeLabel(cell.bodyBytes).padStart(6)} ` +
            `×${String(cell.inflight).padEnd(3)} ${formatInt(rps).padStart(9)} req/s`,
        );
      }
    }
  }
  return tallies;
}

function comparisons(options: BenchOptions, tallies: readonly Tally[]): Comparison[] {
  const find = (impl: Impl, cell: Cell) => tallies.find((t) => t.impl === impl && t.cell === cell);
  return options.cells.flatMap((cell) => {
    const courier = find('courier', cell);
    const raw = find('raw', cell);
    return courier === undefined || raw === undefined ? [] : [compare(courier, raw)];
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const rounds = options.cells.length * options.impls.length * options.rounds;
  const estimateMs =
    rounds * (options.warmupMs + options.durationMs) + options.impls.length * (options.primeMs + 3000);
  log(
    `transport benchmark: ${options.cells.length} cells × ${options.impls.join('+')} × ${options.rounds} rounds ` +
      `of ${options.warmupMs} ms warm-up + ${options.durationMs} ms; about ${Math.round(estimateMs / 1000)} s`,
  );
  // The benchmark must end by itself: well past the estimate, something hangs.
  const watchdog = setTimeout(
    () => {
      log('transport benchmark: taking far longer than estimated; killing the child processes');
      process.exit(1);
    },
    2 * estimateMs + 30_000,
  );
  watchdog.unref();

  const pairs = new Map<Impl, Pair>();
  try {
    for (const impl of options.impls) pairs.set(impl, await startPair(options, impl));
    for (const pair of pairs.values()) {
      await measure(pair, { bodyBytes: 1024, inflight: 64, warmupMs: options.primeMs, durationMs: 100 });
    }
    const tallies = await runCells(options, pairs);
    const report = options.json ? jsonReport : textReport;
    process.stdout.write(report(options, tallies, comparisons(options, tallies)));
  } finally {
    await Promise.all([...pairs.values()].map((pair) => pair.client.stop()));
    await Promise.all([...pairs.values()].map((pair) => pair.server.stop()));
    clearTimeout(watchdog);
  }
}

main().catch((err: unknown) => {
  log(`transport benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
