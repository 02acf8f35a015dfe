// The service the Dockerfile here packages: examples/hello with metrics and probes,
// configured from the environment the manifests set. In the repository:
//   npx tsx --conditions=courier-source examples/kubernetes/main.ts
import { serve, serverSecurityFromEnv } from '@courier/core';
import { createMetrics, DEFAULT_METRICS_PORT } from '@courier/metrics';
import { hello } from '../hello/service.js';

const metrics = createMetrics(); // before serve(): the server announces itself when it starts
const http = await metrics.listen({
  port: Number(process.env.METRICS_PORT ?? DEFAULT_METRICS_PORT),
  host: process.env.METRICS_HOST ?? '127.0.0.1',
});
const bind = (process.env.BIND ?? 'tcp://127.0.0.1:7001').split(',');
// CURVE keys from COURIER_SECRET_KEY(_FILE) and COURIER_ALLOWED_KEYS(_FILE), which the
// Deployment takes from a Secret. Without them, say loudly that anyone in the cluster may call.
const security = serverSecurityFromEnv();
if (security === undefined && bind.some((b) => b.startsWith('tcp://') && !b.startsWith('tcp://127.'))) {
  console.warn(
    'hello: no COURIER_SECRET_KEY, serving PLAINTEXT on a non-loopback address: anyone who can reach it may call it',
  );
}
const server = await serve(hello, {
  bind,
  ...(security !== undefined && { security }),
  gracefulShutdown: { graceMs: Number(process.env.GRACE_MS ?? 10_000) },
});
console.log(`hello listening on ${server.endpoints.join(', ')}`);
console.log(`metrics on ${http.url}/metrics`);
// No shutdown code: on SIGTERM the pod turns unready (/readyz 503), drains, closes the
// metrics listener and exits 0, well inside terminationGracePeriodSeconds.
