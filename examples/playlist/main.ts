// Start examples/metadata/main.ts first, then:
//   npx tsx --conditions=courier-source examples/playlist/main.ts
import { serve } from '@courier/core';
import { createMetrics } from '@courier/metrics';
import { playlist } from './service.js';
import { connectMetadata } from './upstreams.js';

// Prometheus metrics for this process (requests, latency, queues, peers),
// subscribed before serve() so the server is seen from its start.
const metrics = createMetrics();
const http = await metrics.listen({ port: Number(process.env.METRICS_PORT ?? 9464), host: '127.0.0.1' });

const upstream = connectMetadata((process.env.METADATA ?? 'tcp://127.0.0.1:7101').split(','));
const server = await serve(playlist, { bind: process.env.BIND ?? 'tcp://127.0.0.1:7100' });
console.log(`metrics on ${http.url}/metrics`);
console.log(`playlist listening on ${server.endpoints.join(', ')}`);

// serve() drains the server on SIGTERM/SIGINT; close what else keeps the process alive after it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.close();
    await upstream.$close();
    await metrics.close();
  });
}
