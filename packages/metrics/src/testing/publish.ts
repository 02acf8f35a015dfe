import diagnosticsChannel from 'node:diagnostics_channel';
import type {
  ClientCallEnd,
  ClientEndpointState,
  ClientRetry,
  PoolTaskEnd,
  ServerLifecycle,
  ServerRequestEnd,
  ServerStats,
} from '@courier/core';
import { CoreChannels } from '@courier/core';
import {
  type BytesTransferred,
  type DroppedMessage,
  type HeartbeatMissed,
  type PeerStateChange,
  TransportChannels,
} from '@courier/transport';

/** Publishes synthetic payloads on Courier's channels, as core and transport would. Test support only. */
export const publish = {
  lifecycle: (m: ServerLifecycle) => diagnosticsChannel.channel(CoreChannels.serverLifecycle).publish(m),
  requestEnd: (m: ServerRequestEnd) => diagnosticsChannel.channel(CoreChannels.serverRequestEnd).publish(m),
  callEnd: (m: ClientCallEnd) => diagnosticsChannel.channel(CoreChannels.clientCallEnd).publish(m),
  retry: (m: ClientRetry) => diagnosticsChannel.channel(CoreChannels.clientRetry).publish(m),
  endpoint: (m: ClientEndpointState) => diagnosticsChannel.channel(CoreChannels.clientEndpoint).publish(m),
  taskEnd: (m: PoolTaskEnd) => diagnosticsChannel.channel(CoreChannels.poolTaskEnd).publish(m),
  dropped: (m: DroppedMessage) => diagnosticsChannel.channel(TransportChannels.dropped).publish(m),
  peer: (m: PeerStateChange) => diagnosticsChannel.channel(TransportChannels.peer).publish(m),
  heartbeatMissed: (m: HeartbeatMissed) =>
    diagnosticsChannel.channel(TransportChannels.heartbeatMissed).publish(m),
  bytes: (m: BytesTransferred) => diagnosticsChannel.channel(TransportChannels.bytes).publish(m),
};

/** A fake server's stats, mutable so a test can change what the next scrape sees. */
export function fakeServer(service: string, methods: string[], pool?: ServerStats['pool']) {
  const state = {
    draining: false,
    methods: methods.map((method) => ({ method, inflight: 0, queued: 0 })),
    pool,
  };
  const stats = (): ServerStats => ({ service, ...state });
  return {
    state,
    stats,
    announce: (event: ServerLifecycle['event']) => publish.lifecycle({ event, service, stats }),
  };
}
