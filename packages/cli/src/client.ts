import { createDynamicClient, type DynamicClient } from '@courier/core';
import type { ClientSecurityOptions, ClientOptions as TransportClientOptions } from '@courier/transport';

/** Heartbeats tuned for a command-line tool: an unreachable endpoint is reported within about a second. */
export const CLI_TRANSPORT: Omit<TransportClientOptions, 'connect'> = {
  heartbeatIntervalMs: 250,
  heartbeatLiveness: 3,
  reconnectMaxIntervalMs: 500,
};

/**
 * A client of whatever serves `endpoint`: the CLI knows no definition, only
 * `service.method` names, so it uses core's dynamic client without a service.
 * One attempt per command, no circuit breaker: what the user typed is sent
 * once, and its outcome printed.
 */
export function cliClient(endpoint: string, security?: ClientSecurityOptions): DynamicClient {
  return createDynamicClient(null, {
    endpoints: [endpoint],
    ...(security !== undefined && { security }),
    transport: CLI_TRANSPORT,
    retry: false,
    circuitBreaker: false,
  });
}
