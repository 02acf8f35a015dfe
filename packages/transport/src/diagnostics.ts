import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Diagnostics channels published by the transport. Observers (such as
 * @courier/metrics) subscribe from outside; with no subscriber, publishing
 * costs one property check. Names are part of the public API.
 */
export const TransportChannels = {
  /** A message or packet was dropped or refused. Payload: DroppedMessage. */
  dropped: 'courier:transport:dropped',
  /** A peer changed state. Payload: PeerStateChange. */
  peer: 'courier:transport:peer',
  /** A heartbeat interval passed with no traffic from a peer. Payload: HeartbeatMissed. */
  heartbeatMissed: 'courier:transport:heartbeat-missed',
  /** Bytes received or sent, per ZeroMQ message. Payload: BytesTransferred. */
  bytes: 'courier:transport:bytes',
} as const;

export type TransportSide = 'server' | 'client';

export interface DroppedMessage {
  side: TransportSide;
  /**
   * A DecodeErrorCode (input that could not be decoded); 'DUPLICATE_ID' or
   * 'UNEXPECTED_COMMAND' (input that breaks the protocol); 'SEND_FAILED' or
   * 'UNROUTABLE' (a message that could not be sent); 'INVALID_REPLY' or
   * 'REPLY_TOO_LARGE' (server: a reply beyond the protocol's limits, replaced
   * by an error reply; see SendLimitCode); 'SERVER_REJECTED' (client: a REPLY
   * with id 0, the server's error about a whole message).
   */
  reason: string;
}
export interface PeerStateChange {
  side: TransportSide;
  /** The remote endpoint (client side) or the peer's routing id in hex (server side). */
  peer: string;
  /**
   * Client side: PeerState values. Server side: 'unknown' -> 'alive' on
   * first contact, then 'alive' -> 'gone' (DISCONNECT), 'dead' (silent past
   * its liveness window) or 'closed' (the server closed).
   */
  from: string;
  to: string;
}
export interface HeartbeatMissed {
  side: TransportSide;
  peer: string;
}
export interface BytesTransferred {
  side: TransportSide;
  direction: 'in' | 'out';
  bytes: number;
}

export const droppedChannel = diagnosticsChannel.channel(TransportChannels.dropped);
export const peerChannel = diagnosticsChannel.channel(TransportChannels.peer);
export const heartbeatMissedChannel = diagnosticsChannel.channel(TransportChannels.heartbeatMissed);
export const bytesChannel = diagnosticsChannel.channel(TransportChannels.bytes);
