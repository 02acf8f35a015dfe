// The service the Dockerfile here packages: examples/hello with metrics and probes,
// configured from the environment the manifests set. In the repository:
//   npx tsx --conditions=courier-source examples/kubernetes/main.ts
import { serve } from '@courier/core';
import { createMetrics, DEFAULT_METRICS_PORT } from '@courier/metrics';
import { hello } from '../hello/service.js';

const metrics = createMetrics(); // before serve(): the server announces itself when it starts
const http = await metrics.listen({
  port: Number(process.env.METRICS_PORT ?? DEFAULT_METRICS_PORT),
  host: process.env.METRICS_HOST ?? '127.0.0.1',
});
const server = await serve(hello, {
  bind: (process.env.BIND ?? 'tcp://127.0.0.1:7001').split(','),
  gracefulShutdown: { graceMs: Number(process.env.GRACE_MS ?? 10_000) },
});
console.log(`hello listening on ${server.endpoints.join(', ')}`);
console.log(`metrics on ${http.url}/metrics`);
// No shutdown code: on SIGTERM the pod turns unready (/readyz 503), drains, closes the
// metrics listener and exits 0, well inside terminationGracePeriodSeconds.
