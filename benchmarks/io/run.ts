/**
 * I/O benchmark: how close Courier gets to the throughput an I/O-bound method
 * allows. The method (`wait`) awaits a 10 ms timer; a client keeps 1,000
 * calls in flight, so the method alone would allow 1,000 / 10 ms = 100,000
 * calls/s, and the Courier stack itself allows what the same service does
 * with a method that answers at once (`echo`, 256 in flight), measured in
 * the same run. The ideal is the lower of the two.
 *
 *   npm run bench:io [-- --rounds N] [-- --warmup-ms N] [-- --duration-ms N]
 *                    [-- --cpu-prof-dir DIR] [-- --only echo|wait]
 *
 * Server and client are separate child processes over loopback TCP; this
 * process only coordinates. Rounds alternate echo and wait in ABBA order, so
 * drift and other load on the machine hit both alike; each round has its own
 * warm-up. Per scenario: req/s, latency p50/p99 (measured by the client,
 * so including the round trip), event-loop lag p99 of the server and of the
 * client over the measured window (monitorEventLoopDelay, 1 ms resolution,
 * the resolution subtracted), and each process's CPU, also per request.
 * A third pair of processes runs the baseline Courier does not control: raw
 * hand-batched zeromq.js (benchmarks/transport/raw-echo.ts) whose handler
 * awaits the same 10 ms timer, 1,000 in flight, in the same rounds.
 * `npm run bench:io` runs it all under plain node on the built packages
 * (dist/); `tsx benchmarks/io/run.ts` runs the sources, for development.
 * Takes about 100 s. Progress goes to stderr, results to stdout, whose last
 * lines are
 *   io_efficiency=<median over rounds of (wait req/s) / min(1000 / 10 ms, echo req/s)>
 *   io_vs_raw_zmq=<median over rounds of wait req/s / raw wait req/s> io_of_ideal=<wait req/s / 100k>
 * Every child process is killed when this one exits, fails or is interrupted.
 *
 * `--cpu-prof-dir DIR` profiles the children into DIR/server and DIR/client
 * (the largest file in each is the main thread; summarise it with
 * benchmarks/lib/cpuprofile-top.ts). `--only` runs one scenario, to profile
 * it alone; it prints no io_efficiency.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ChildRef, siblingScript, startChild } from '../lib/child-process.js';
import { Histogram } from '../lib/histogram.js';
import { median } from '../lib/stats.js';
import { formatFixed, formatInt, formatTable } from '../lib/table.js';
import type { ClientHandlers, RoundParams, RoundResult } from './client.js';
import { LAG_RESOLUTION_MS } from './lag.js';
import type { RawServerHandlers } from './raw-server.js';
import type { ServerHandlers, ServerReady, ServerWindow } from './server.js';
import { IO_WAIT_MS, type IoMethod } from './service.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'duration-ms': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    only: { type: 'string' },
  },
});

const config = {
  /** Calls in flight on the I/O-bound method: the issue's figure. */
  ioInflight: 1000,
  /** Calls in flight for the echo ceiling: enough to saturate the stack. */
  echoInflight: 256,
  rounds: Math.round(numberFlag('rounds', 3)),
  warmupMs: numberFlag('warmup-ms', 2000),
  durationMs: numberFlag('duration-ms', 8000),
  /** Untimed load on each method first, so JIT warm-up stays out of every round. */
  primeMs: 1500,
  cpuProfDir: flags['cpu-prof-dir'],
  only: onlyFlag(flags.only),
};

/** One measured round: the client's view, and the server's over the same window. */
interface Round {
  client: RoundResult;
  server: ServerWindow;
}

interface Scenario {
  name: string;
  /** `courier`: the io-bench service; `raw`: hand-batched zeromq.js with the same wait, the baseline. */
  impl: 'courier' | 'raw';
  method: IoMethod;
  inflight: number;
  requests: number;
  durationMs: number;
  latencyUs: Histogram;
  rounds: Round[];
}

const newScenario = (method: IoMethod, inflight: number, impl: Scenario['impl'] = 'courier'): Scenario => ({
  name:
    impl === 'raw'
      ? `raw zeromq.js wait (${IO_WAIT_MS} ms timer)`
      : method === 'wait'
        ? `wait (${IO_WAIT_MS} ms timer)`
        : 'echo (answers at once)',
  impl,
  method,
  inflight,
  requests: 0,
  durationMs: 0,
  latencyUs: new Histogram(),
  rounds: [],
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const script = (name: string) => siblingScript(import.meta.url, name);
/** One profile directory per process: tsx's loader thread writes a second, nearly idle profile. */
const profile = (role: string) =>
  config.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(config.cpuProfDir, role)}`];

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg();
  const echo = newScenario('echo', config.echoInflight);
  const wait = newScenario('wait', config.ioInflight);
  const rawWait = newScenario('wait', config.ioInflight, 'raw');
  const scenarios = [echo, wait, rawWait].filter(
    (s) => config.only === undefined || (s.method === config.only && s.impl === 'courier'),
  );
  const estimateMs =
    scenarios.length * (config.rounds * (config.warmupMs + config.durationMs) + config.primeMs) + 8000;
  log(
    `io benchmark: ${config.rounds} rounds × (${scenarios.map((s) => `${s.method} ×${s.inflight}`).join(', ')}) ` +
      `of ${config.warmupMs} ms warm-up + ${config.durationMs} ms; about ${Math.round(estimateMs / 1000)} s`,
  );
  // The benchmark must end by itself: well past the estimate, something hangs.
  const watchdog = setTimeout(
    () => {
      log('io benchmark: taking far longer than estimated; killing the child processes');
      process.exit(1);
    },
    2 * estimateMs + 30_000,
  );
  watchdog.unref();

  const { child: server, ready } = await startChild<ServerHandlers, ServerReady>({
    name: 'io-server',
    script: script('server'),
    args: [String(2 * config.ioInflight)],
    execArgv: profile('server'),
  });
  let client: ChildRef<ClientHandlers> | undefined;
  let rawServer: ChildRef<RawServerHandlers> | undefined;
  let rawClient: ChildRef<ClientHandlers> | undefined;
  try {
    if (scenarios.includes(rawWait)) {
      const raw = await startChild<RawServerHandlers, ServerReady>({
        name: 'raw-io-server',
        script: script('raw-server'),
        execArgv: profile('raw-server'),
      });
      rawServer = raw.child;
      rawClient = (
        await startChild<ClientHandlers>({
          name: 'raw-io-client',
          script: script('client'),
          args: [raw.ready.endpoint, 'raw'],
          execArgv: profile('raw-client'),
        })
      ).child;
    }
    client = (
      await startChild<ClientHandlers>({
        name: 'io-client',
        script: script('client'),
        args: [ready.endpoint],
        execArgv: profile('client'),
      })
    ).child;
    log(`server ${ready.endpoint} (pid ${server.process.pid}), client pid ${client.process.pid}`);
    const pairOf = (s: Scenario) =>
      s.impl === 'raw' ? ([rawServer!, rawClient!] as const) : ([server, client!] as const);
    for (const s of scenarios) await runRound(...pairOf(s), s, config.primeMs, 100);
    for (let i = 0; i < config.rounds; i++) {
      for (const s of i % 2 === 0 ? scenarios : scenarios.toReversed()) {
        const r = await runRound(...pairOf(s), s, config.warmupMs, config.durationMs);
        s.rounds.push(r);
        s.requests += r.client.requests;
        s.durationMs += r.client.durationMs;
        s.latencyUs.merge(Histogram.fromJSON(r.client.latencyUs));
        log(
          `[${i + 1}/${config.rounds}] ${s.impl === 'raw' ? 'raw ' : ''}${s.method.padEnd(4)} ×${String(s.inflight).padEnd(4)} ` +
            `${formatInt(r.client.rps).padStart(7)} req/s`,
        );
      }
    }
    process.stdout.write(report(scenarios, loadAtStart, (performance.now() - started) / 1000));
  } finally {
    await Promise.all([client?.stop(), rawClient?.stop()]);
    await Promise.all([server.stop(), rawServer?.stop()]);
    clearTimeout(watchdog);
  }
}

/** One closed-loop round of `s`: `warmupMs` of load, then a measured window of `durationMs`. */
async function runRound(
  server: ChildRef<ServerHandlers | RawServerHandlers>,
  client: ChildRef<ClientHandlers>,
  s: Scenario,
  warmupMs: number,
  durationMs: number,
): Promise<Round> {
  // The server's window: from the end of the warm-up to the last reply.
  let opened: Promise<void> | undefined;
  const windowTimer = setTimeout(() => {
    opened = server.call('windowStart', undefined);
  }, warmupMs);
  let result: RoundResult;
  try {
    result = await client.call(
      'runRound',
      { method: s.method, inflight: s.inflight, warmupMs, durationMs } satisfies RoundParams,
      warmupMs + durationMs + 60_000,
    );
  } finally {
    clearTimeout(windowTimer);
  }
  await opened;
  const window = await server.call('windowStop', undefined);
  if (window === undefined) throw new Error('the server window never opened: the round ended early');
  return { client: result, server: window };
}

function report(scenarios: Scenario[], loadAtStart: number[], seconds: number): string {
  const rps = (s: Scenario) => (s.requests * 1000) / s.durationMs;
  /** Median over rounds: one round disturbed by other load on the machine moves a mean, not a median. */
  const perRound = (s: Scenario, f: (r: Round) => number) => median(s.rounds.map(f));
  const ms = (us: number) => formatFixed(us / 1000, us < 10_000 ? 2 : 1);
  const lines = [
    '',
    'Courier (serve/createClient), client and server in separate processes over loopback TCP; ' +
      `${config.rounds} × (${config.warmupMs} ms warm-up + ${config.durationMs} ms) per scenario, ABBA order.`,
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}; ` +
      `load average ${fmtLoad(loadAtStart)} at start, ${fmtLoad(loadavg())} at end; ${formatFixed(seconds, 0)} s in all.`,
    'Latency: send to reply, at the client, all rounds pooled. Lag: monitorEventLoopDelay at ' +
      `${LAG_RESOLUTION_MS} ms resolution, less the resolution. Lag, CPU and run queue: median of the rounds.`,
    '',
    formatTable(
      [
        { header: 'scenario', align: 'left', value: (s: Scenario) => s.name },
        { header: 'in flight', value: (s) => formatInt(s.inflight) },
        { header: 'req/s', value: (s) => formatInt(rps(s)) },
        { header: 'p50 ms', value: (s) => ms(s.latencyUs.percentile(50)) },
        { header: 'p99 ms', value: (s) => ms(s.latencyUs.percentile(99)) },
        {
          header: 'server lag p99 ms',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => r.server.lag.p99Ms),
              1,
            ),
        },
        {
          header: 'client lag p99 ms',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => r.client.lag.p99Ms),
              1,
            ),
        },
        {
          header: 'rounds (req/s)',
          align: 'left',
          value: (s) => s.rounds.map((r) => formatInt(r.client.rps)).join(' '),
        },
      ],
      scenarios,
    ),
    '',
    'Where the time went: CPU (both processes, all threads) in % of one core and per call; time each ' +
      "process's event loop was runnable but waited for a CPU (run queue: other load on the machine); " +
      'calls per ZeroMQ message at the server (batches hold at most 128).',
    '',
    formatTable(
      [
        { header: 'scenario', align: 'left', value: (s: Scenario) => s.name },
        { header: 'server CPU', value: (s) => percent(perRound(s, (r) => r.server.cpuPercent)) },
        { header: 'client CPU', value: (s) => percent(perRound(s, (r) => r.client.cpuPercent)) },
        {
          header: 'server µs/call',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => (r.server.cpuPercent * r.server.wallMs * 10) / r.server.handled),
              1,
            ),
        },
        {
          header: 'client µs/call',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => (r.client.cpuPercent * 1e4) / r.client.rps),
              1,
            ),
        },
        { header: 'server run queue', value: (s) => percent(perRound(s, (r) => r.server.runQueuePercent)) },
        { header: 'client run queue', value: (s) => percent(perRound(s, (r) => r.client.runQueuePercent)) },
        {
          header: 'requests/msg in',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => r.server.handled / r.server.messagesIn),
              1,
            ),
        },
        {
          header: 'replies/msg out',
          value: (s) =>
            formatFixed(
              perRound(s, (r) => r.server.handled / r.server.messagesOut),
              1,
            ),
        },
      ],
      scenarios,
    ),
    '',
  ];
  const echo = scenarios.find((s) => s.method === 'echo');
  const wait = scenarios.find((s) => s.method === 'wait' && s.impl === 'courier');
  const rawWait = scenarios.find((s) => s.impl === 'raw');
  if (echo !== undefined && wait !== undefined) lines.push(...efficiency(echo, wait, rps));
  if (wait !== undefined && rawWait !== undefined) lines.push(...againstRaw(wait, rawWait, rps));
  lines.push('');
  return lines.join('\n');
}

/** The headline: wait's throughput against the lower of what the method and the stack allow. */
function efficiency(echo: Scenario, wait: Scenario, rps: (s: Scenario) => number): string[] {
  /** What the method alone allows: every call in flight finishing once per wait. */
  const methodBound = (config.ioInflight * 1000) / IO_WAIT_MS;
  const ideal = (echoRps: number) => Math.min(methodBound, echoRps);
  // Each round's echo and wait runs are adjacent in time, so their ratio compares like with like.
  const perRound = wait.rounds.map((r, i) => r.client.rps / ideal(echo.rounds[i]!.client.rps));
  const pooled = rps(wait) / ideal(rps(echo));
  return [
    `ideal = min(${formatInt(config.ioInflight)} in flight / ${IO_WAIT_MS} ms = ${formatInt(methodBound)} req/s, ` +
      `echo ${formatInt(rps(echo))} req/s) = ${formatInt(ideal(rps(echo)))} req/s`,
    `per-round wait / ideal: ${perRound.map((r) => formatFixed(r, 3)).join(' ')}; pooled: ${formatFixed(pooled, 3)}`,
    `io_efficiency=${formatFixed(median(perRound), 2)}`,
  ];
}

/**
 * The headline against baselines Courier does not control: wait's throughput
 * over raw zeromq.js's with the same wait (each round's pair adjacent in
 * time), and over the method's own bound, 1,000 in flight / 10 ms.
 */
function againstRaw(wait: Scenario, raw: Scenario, rps: (s: Scenario) => number): string[] {
  const methodBound = (config.ioInflight * 1000) / IO_WAIT_MS;
  const perRound = wait.rounds.map((r, i) => r.client.rps / raw.rounds[i]!.client.rps);
  return [
    `per-round wait / raw zeromq.js wait: ${perRound.map((r) => formatFixed(r, 3)).join(' ')}; ` +
      `pooled: ${formatFixed(rps(wait) / rps(raw), 3)}; raw / ideal: ${formatFixed(rps(raw) / methodBound, 3)}`,
    `io_vs_raw_zmq=${formatFixed(median(perRound), 2)} io_of_ideal=${formatFixed(median(wait.rounds.map((r) => r.client.rps / methodBound)), 2)}`,
  ];
}

function percent(n: number): string {
  return Number.isFinite(n) ? `${formatInt(n)}%` : 'n/a';
}

function fmtLoad(load: number[]): string {
  return load.map((l) => l.toFixed(1)).join(' ');
}

function numberFlag(name: 'rounds' | 'warmup-ms' | 'duration-ms', fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}

function onlyFlag(raw: string | undefined): IoMethod | undefined {
  if (raw === undefined || raw === 'echo' || raw === 'wait') return raw;
  throw new Error(`--only must be echo or wait, got ${raw}`);
}

main().catch((err: unknown) => {
  log(`io benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
