/**
 * Every metric @courier/metrics registers, in one place. Names follow the
 * Prometheus conventions: a `courier_` prefix, base units (seconds, bytes),
 * `_total` on counters, plural nouns on gauges that count things. They are
 * public API: dashboards and alerts use them, so a rename is a breaking
 * change. Each one is documented in this package's README.md (a test checks).
 */
export const MetricNames = {
  // Server: per service and method.
  serverRequests: 'courier_server_requests_total',
  serverRequestDuration: 'courier_server_request_duration_seconds',
  serverInFlight: 'courier_server_in_flight_requests',
  serverQueued: 'courier_server_queued_requests',
  serverShed: 'courier_server_shed_requests_total',
  serverExpired: 'courier_server_expired_requests_total',
  serverDraining: 'courier_server_draining',

  // Client: per target service and method.
  clientCalls: 'courier_client_calls_total',
  clientCallDuration: 'courier_client_call_duration_seconds',
  clientRetries: 'courier_client_retries_total',
  clientEndpoints: 'courier_client_endpoints',

  // Transport: per side (server or client).
  transportPeers: 'courier_transport_connected_peers',
  transportHeartbeatsMissed: 'courier_transport_missed_heartbeats_total',
  transportDropped: 'courier_transport_dropped_messages_total',
  transportReceivedBytes: 'courier_transport_received_bytes_total',
  transportSentBytes: 'courier_transport_sent_bytes_total',

  // Worker pool: per service.
  poolThreads: 'courier_pool_threads',
  poolBusyThreads: 'courier_pool_busy_threads',
  poolQueuedTasks: 'courier_pool_queued_tasks',
  poolTasks: 'courier_pool_tasks_total',
  poolTaskDuration: 'courier_pool_task_duration_seconds',

  // Event loop: per service served in the process (the loop is the process's).
  eventLoopDelay: 'courier_event_loop_delay_seconds',
  eventLoopUtilization: 'courier_event_loop_utilization_ratio',
  eventLoopActive: 'courier_event_loop_active_seconds_total',
} as const;

export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];

/**
 * The value a label takes when the real one is not allowed: a method the
 * definition does not have (core already reports those as `unknown`), or any
 * value past a label's cap of distinct values. One shared value keeps a
 * hostile or buggy peer from growing the number of series.
 */
export const UNKNOWN_LABEL_VALUE = 'unknown';
