/**
 * Load-tests this service: starts it on a free local port, drives `greet`
 * with `courier bench` (64 calls in flight for 5 s) and prints throughput and
 * latency percentiles. Change the method, input or concurrency below to
 * profile your own methods; run with `node --cpu-prof` to see where time goes.
 */
import { formatReport, runBench } from '@courier/cli';
import { serve } from '@courier/core';
import { {{camel}} } from '../src/service.js';

// Keep the report readable: the service logs only warnings while it is measured.
process.env.COURIER_LOG_LEVEL ??= 'warn';
const server = await serve({{camel}}, { bind: 'tcp://127.0.0.1:*', gracefulShutdown: { signals: false } });
try {
  const result = await runBench({
    endpoint: server.endpoints[0]!,
    method: '{{name}}.greet',
    input: { name: 'bench' },
    concurrency: 64,
    durationMs: Number(process.env.BENCH_MS ?? 5000),
  });
  console.log(formatReport(result));
} finally {
  await server.close();
}
