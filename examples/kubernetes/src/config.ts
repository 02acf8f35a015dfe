/**
 * Every number the manifests must agree with, in one place; manifests.test.ts
 * checks k8s.yaml against these and against the library's own defaults.
 */
import { DEFAULT_METRICS_PORT } from '@courier/metrics';

/** The Courier (ZeroMQ) port; the Service names it `courier`. */
export const PORT = 7001;
/** /metrics, /healthz (liveness), /readyz (readiness). */
export const METRICS_PORT = DEFAULT_METRICS_PORT;
/** serve()'s default grace period (gracefulShutdown.graceMs); the pod's termination grace must be longer. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** The SRV record the headless Service gives each ready pod: _<port name>._tcp.<service>.<namespace>.svc.<cluster domain>. */
export const SRV_NAME = '_courier._tcp.greeter.default.svc.cluster.local';
