/**
 * Compute benchmark: what a CPU-bound method does to its neighbours when it
 * runs inline on the event loop versus in the worker pool, how pool
 * throughput scales with workers, and how much faster the C++ addon is than
 * the TypeScript for the same top-k (examples/recommend: cosine similarity of
 * a 64-d query against 200,000 x 64 float32 embeddings).
 *
 *   npm run bench:compute [-- --quick] [-- --rows N] [-- --rounds N] [-- --duration-ms N]
 *
 * The server runs in a child process; this process is the client. Each
 * scenario runs closed-loop loads for a warm-up, then a measured window:
 *
 * - idle: only the I/O-bound `popular` (a 2 ms timer), 4 calls in flight;
 * - inline: the same, while `similar` (TypeScript top-k) runs on the event
 *   loop, kept saturated (2 calls in flight);
 * - pool: the same, while `similar` runs in a pool of P = cores − 1 workers
 *   (one core left for the event loop and, here, this load generator), kept
 *   saturated (2P in flight, so a task always waits);
 * - throughput: `similar` and `similarNative` alone, on 1 worker and on N =
 *   cores workers, 2 per worker in flight.
 *
 * Scenarios that are compared are measured in alternating rounds (idle,
 * pool, idle, pool, ...; TypeScript, C++, TypeScript, C++), so drift and
 * other load on the machine hit both alike; rounds are pooled (latency
 * histograms merged, the worst round's lag kept).
 *
 * Reported: the I/O method's p50/p99 latency (measured here, so it includes
 * the round trip) and the server's event-loop lag p99 (monitorEventLoopDelay,
 * 1 ms resolution) per scenario; queries/s per throughput run. The last line:
 *   loaded_vs_idle_io_p99=<pool I/O p99 / idle I/O p99> native_speedup=<native / TypeScript queries/s on 1 worker>
 * Every child process is stopped on exit, interrupt or failure.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@courier/core';
import { randomQuery } from '../../examples/recommend/src/embeddings.js';
import { DIMS, recommend } from '../../examples/recommend/src/service.js';
import { type ChildRef, startChild } from '../lib/child-process.js';
import { type ClosedLoopResult, runClosedLoop } from '../lib/closed-loop.js';
import { Histogram } from '../lib/histogram.js';
import { formatFixed, formatInt, formatMicros, formatTable } from '../lib/table.js';
import type { ServerHandlers, ServerReady } from './server.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rows: { type: 'string' },
    rounds: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'duration-ms': { type: 'string' },
  },
});

const config = {
  rows: numberFlag('rows', 200_000),
  warmupMs: numberFlag('warmup-ms', flags.quick ? 300 : 1000),
  durationMs: numberFlag('duration-ms', flags.quick ? 700 : 2500),
  rounds: numberFlag('rounds', flags.quick ? 1 : 2),
  ioInflight: 4,
};
const cores = availableParallelism();
/** Other work on the machine skews every number here; the report says how much there was. */
const loadAtStart = loadavg();
const N = cores;
const P = Math.max(1, cores - 1);

type Mode = { kind: 'inline' } | { kind: 'pool'; size: number };

/** Closed-loop results of one load, pooled over rounds. */
class Tally {
  requests = 0;
  durationMs = 0;
  readonly latencyUs = new Histogram();

  add(result: ClosedLoopResult): this {
    this.requests += result.requests;
    this.durationMs += result.durationMs;
    this.latencyUs.merge(result.latencyUs);
    return this;
  }

  get rps(): number {
    return (this.requests * 1000) / this.durationMs;
  }
}

interface LoadScenario {
  name: string;
  io: Tally;
  /** Present when compute ran alongside. */
  compute: Tally | undefined;
  /** The worst round's event-loop lag, in ms. */
  lagP99Ms: number;
  lagMaxMs: number;
}

interface ThroughputRun {
  method: 'similar' | 'similarNative';
  workers: number;
  result: Tally;
}

const queries = Array.from({ length: 64 }, (_, i) => Array.from(randomQuery(DIMS, 1000 + i)));

async function withServer<T>(
  mode: Mode,
  body: (
    client: ReturnType<typeof createClient<typeof recommend>>,
    child: ChildRef<ServerHandlers>,
  ) => Promise<T>,
): Promise<T> {
  const label = mode.kind === 'inline' ? 'inline' : `pool of ${mode.size}`;
  log(`starting server (${label}, ${formatInt(config.rows)} x ${DIMS})`);
  const args =
    mode.kind === 'inline'
      ? ['inline', String(config.rows)]
      : ['pool', String(mode.size), String(config.rows)];
  const { child, ready } = await startChild<ServerHandlers, ServerReady>({
    name: `compute server (${label})`,
    script: fileURLToPath(new URL('./server.ts', import.meta.url)),
    args,
    readyTimeoutMs: 60_000,
  });
  const client = createClient(recommend, { endpoints: [ready.endpoint] });
  try {
    return await body(client, child);
  } finally {
    await client.$close();
    await child.stop(15_000);
  }
}

type Client = Parameters<Parameters<typeof withServer>[1]>[0];

function computeCall(client: Client, method: 'similar' | 'similarNative'): () => Promise<unknown> {
  let i = 0;
  return () => client[method]({ query: queries[i++ % queries.length]!, k: 10 }, { deadlineMs: 30_000 });
}

function ioCall(client: Client): () => Promise<unknown> {
  return () => client.popular({ limit: 10 });
}

/** Runs `round` `config.rounds` times, in turn for each item: A B A B ... */
async function alternate<T>(items: readonly T[], round: (item: T) => Promise<void>): Promise<void> {
  for (let r = 0; r < config.rounds; r++) {
    for (const item of items) await round(item);
  }
}

function scenario(name: string, withCompute: boolean): LoadScenario {
  return { name, io: new Tally(), compute: withCompute ? new Tally() : undefined, lagP99Ms: 0, lagMaxMs: 0 };
}

/** One round of the I/O load, with saturating compute load alongside when `computeInflight` > 0. */
async function loadRound(
  s: LoadScenario,
  client: Client,
  child: ChildRef<ServerHandlers>,
  computeInflight: number,
): Promise<void> {
  log(`  ${s.name}`);
  const { warmupMs, durationMs } = config;
  const lagStarted = new Promise<void>((resolve) => {
    setTimeout(() => void child.call('lagStart', undefined as never).then(() => resolve()), warmupMs);
  });
  const [io, compute] = await Promise.all([
    runClosedLoop({ inflight: config.ioInflight, warmupMs, durationMs, call: ioCall(client) }),
    computeInflight > 0
      ? runClosedLoop({
          inflight: computeInflight,
          warmupMs,
          durationMs,
          call: computeCall(client, 'similar'),
        })
      : undefined,
  ]);
  await lagStarted;
  const lag = await child.call('lagStop', undefined as never);
  s.io.add(io);
  if (compute !== undefined) s.compute?.add(compute);
  s.lagP99Ms = Math.max(s.lagP99Ms, lag.p99Ms);
  s.lagMaxMs = Math.max(s.lagMaxMs, lag.maxMs);
}

/** Both methods alone on `workers` workers, 2 calls in flight per worker, in alternating rounds. */
async function throughput(client: Client, workers: number): Promise<ThroughputRun[]> {
  const runs = (['similar', 'similarNative'] as const).map((method) => ({
    method,
    workers,
    result: new Tally(),
  }));
  await alternate(runs, async (run) => {
    log(`  throughput: ${run.method} on ${workers} worker${workers === 1 ? '' : 's'}`);
    run.result.add(
      await runClosedLoop({
        inflight: 2 * workers,
        warmupMs: config.warmupMs,
        durationMs: config.durationMs,
        call: computeCall(client, run.method),
      }),
    );
  });
  return runs;
}

async function main(): Promise<void> {
  const started = performance.now();
  log(
    `compute benchmark: ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
  );
  const idle = scenario('idle (I/O only)', false);
  const inline = scenario('compute inline (event loop)', true);
  const pooled = scenario(`compute in pool (${P} worker${P === 1 ? '' : 's'})`, true);
  const runs: ThroughputRun[] = [];

  await withServer({ kind: 'pool', size: P }, async (client, child) => {
    await warm(client);
    await alternate([idle, pooled], (s) => loadRound(s, client, child, s === idle ? 0 : 2 * P));
    if (P === 1) runs.push(...(await throughput(client, 1)));
  });
  await withServer({ kind: 'inline' }, async (client, child) => {
    await warm(client, ['similar']);
    await alternate([inline], (s) => loadRound(s, client, child, 2));
  });
  for (const size of P === 1 ? [N] : [1, N]) {
    await withServer({ kind: 'pool', size }, async (client) => {
      await warm(client);
      runs.push(...(await throughput(client, size)));
    });
  }
  report([idle, inline, pooled], runs, (performance.now() - started) / 1000);
}

/** A few calls of each method, so JIT and worker start-up stay out of the warm-up window. */
async function warm(client: Client, methods: ('similar' | 'similarNative')[] = ['similar', 'similarNative']) {
  for (const method of methods) {
    const call = computeCall(client, method);
    await Promise.all(Array.from({ length: 2 * N }, call));
  }
  await Promise.all(Array.from({ length: 8 }, ioCall(client)));
}

function report(scenarios: LoadScenario[], runs: ThroughputRun[], seconds: number): void {
  const ms = (us: number) => formatMicros(us / 1000);
  const [idle, , pooled] = scenarios as [LoadScenario, LoadScenario, LoadScenario];
  const qps = (method: ThroughputRun['method'], workers: number) =>
    runs.find((r) => r.method === method && r.workers === workers)?.result.rps ?? Number.NaN;
  const ioRatio = pooled.io.latencyUs.percentile(99) / idle.io.latencyUs.percentile(99);
  const nativeSpeedup = qps('similarNative', 1) / qps('similar', 1);

  const out = [
    `Compute benchmark: ${formatInt(config.rows)} x ${DIMS} float32 embeddings, top 10; ${cores} cores; Node ${process.version}; ` +
      `${config.rounds} round(s) of ${config.warmupMs} ms warm-up + ${config.durationMs} ms measured per row; ` +
      `load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}; ${formatFixed(seconds, 0)} s in all`,
    '',
    `I/O method \`popular\` (2 ms timer, ${config.ioInflight} in flight) while \`similar\` is saturated:`,
    '',
    formatTable(
      [
        { header: 'scenario', align: 'left', value: (s: LoadScenario) => s.name },
        { header: 'I/O p50 ms', value: (s) => ms(s.io.latencyUs.percentile(50)) },
        { header: 'I/O p99 ms', value: (s) => ms(s.io.latencyUs.percentile(99)) },
        {
          header: 'I/O p99 / idle',
          value: (s) => formatFixed(s.io.latencyUs.percentile(99) / idle.io.latencyUs.percentile(99), 2),
        },
        { header: 'I/O calls/s', value: (s) => formatInt(s.io.rps) },
        { header: 'loop lag p99 ms', value: (s) => formatFixed(s.lagP99Ms, 1) },
        { header: 'loop lag max ms', value: (s) => formatFixed(s.lagMaxMs, 1) },
        {
          header: 'compute q/s',
          value: (s) => (s.compute === undefined ? '-' : formatFixed(s.compute.rps, 1)),
        },
      ],
      scenarios,
    ),
    '',
    'Compute throughput (`similar` = TypeScript, `similarNative` = C++ addon; 2 calls in flight per worker):',
    '',
    formatTable(
      [
        { header: 'method', align: 'left', value: (r: ThroughputRun) => r.method },
        { header: 'workers', value: (r) => String(r.workers) },
        { header: 'queries/s', value: (r) => formatFixed(r.result.rps, 1) },
        { header: 'ms/query (per worker)', value: (r) => formatFixed((1000 * r.workers) / r.result.rps, 2) },
        { header: 'p99 ms', value: (r) => ms(r.result.latencyUs.percentile(99)) },
        { header: 'vs 1 worker', value: (r) => formatFixed(r.result.rps / qps(r.method, 1), 2) },
      ],
      runs.toSorted((a, b) => a.method.localeCompare(b.method) || a.workers - b.workers),
    ),
    '',
    `native vs TypeScript (1 worker): ${formatFixed(nativeSpeedup, 2)}x; on ${N} workers: ${formatFixed(qps('similarNative', N) / qps('similar', N), 2)}x`,
    `loaded_vs_idle_io_p99=${formatFixed(ioRatio, 2)} native_speedup=${formatFixed(nativeSpeedup, 2)}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

function numberFlag(name: 'rows' | 'rounds' | 'warmup-ms' | 'duration-ms', fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().catch((err: unknown) => {
  log(`compute benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
