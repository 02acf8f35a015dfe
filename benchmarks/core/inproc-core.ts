/**
 * One process, the core-bench service served and called over `inproc://`
 * (zod schemas, default codec, serve/createClient, default options), a fixed
 * number of calls with a fixed number in flight, then exit. Run by
 * `npm run bench:instructions -- --core` under valgrind, beside the raw echo
 * of benchmarks/transport/inproc-echo.ts.
 *
 *   inproc-core.ts <requests> <in flight> <payload bytes>
 *
 * BENCH_TRACE_IMPL=core-off or core-sdk counts core with tracing off, or
 * with an OpenTelemetry SDK (see tracing-mode.ts); unset, the API has no SDK.
 */
// First: it sets tracing up before core loads.
import './tracing-mode.js';
import { createClient, serve } from '@courier/core';
import { pino } from 'pino';
import { coreBench } from './service.js';

const [requests, inflight, bytes] = process.argv.slice(2, 5).map(Number);
if (!(requests! > 0 && inflight! > 0 && bytes! >= 0)) {
  throw new Error('usage: inproc-core.ts <requests> <in flight> <payload bytes>');
}

const endpoint = 'inproc://instructions-core';
// Default options but for liveness: valgrind runs about 50x slower, so the
// default 3 s without traffic would declare a busy peer dead.
const heartbeat = { heartbeatIntervalMs: 10_000, heartbeatLiveness: 30 };
const server = await serve(coreBench, {
  bind: endpoint,
  logger: pino({ level: 'warn' }),
  gracefulShutdown: { signals: false },
  ...heartbeat,
});
const client = createClient(coreBench, { endpoints: [endpoint], deadlineMs: 600_000, transport: heartbeat });
const data = 'a'.repeat(bytes!);
let left = requests!;

async function slot(): Promise<void> {
  while (left-- > 0) {
    const reply = await client.echo({ id: left, data });
    if (reply.data.length !== data.length) throw new Error(`echo returned ${reply.data.length} characters`);
  }
}

await Promise.all(Array.from({ length: inflight! }, slot));
await client.$close();
await server.close();
