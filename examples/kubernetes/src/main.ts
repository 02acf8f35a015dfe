// The container's entry point: node dist/main.js (no tsx at run time).
import { serve } from '@courier/core';
import { createMetrics } from '@courier/metrics';
import { DRAIN_TIMEOUT_MS, METRICS_PORT, PORT } from './config.js';
import { greeter } from './service.js';

// Before serve(): servers announce themselves to metrics when they start.
const metrics = createMetrics();
// 0.0.0.0: the kubelet's probes and Prometheus come from outside the pod.
await metrics.listen({ port: METRICS_PORT, host: '0.0.0.0' });
// On SIGTERM (what Kubernetes sends) the server drains: /readyz answers 503, in-flight calls
// finish, then the server, the metrics endpoint and the process close and exit 0 by themselves.
await serve(greeter, { bind: `tcp://0.0.0.0:${PORT}`, gracefulShutdown: { graceMs: DRAIN_TIMEOUT_MS } });
