export { DURATION_BUCKETS } from './buckets.js';
export type { AnyRegistry } from './collected.js';
export { createMetrics, type Metrics, type MetricsOptions } from './create-metrics.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { DEFAULT_METRICS_PORT, type ListenOptions, type MetricsEndpoint } from './http-endpoint.js';
export { DEFAULT_MAX_LABEL_VALUES } from './label-guard.js';
export type { Readiness } from './live-servers.js';
export { type MetricName, MetricNames, UNKNOWN_LABEL_VALUE } from './names.js';
