import { droppedChannel } from '../diagnostics.js';
import type { ResolvedSocketOptions } from '../options.js';
import { Status } from '../protocol/constants.js';
import type { Peer } from './peer.js';
import type { ServerRequest } from './server-request.js';

const MiB = 1024 * 1024;

/**
 * The server's bounds on what its peers can make it hold (docs/protocol.md,
 * Limits; docs/security.md). The defaults suit a 2-core service with a few
 * GB of memory: no one peer can take more than a fraction of the
 * server-wide budgets core applies (maxInflightBytes, 256 MiB).
 */
export interface ServerLimitOptions {
  /**
   * Most peers (routing ids) the server serves at once. A message from one
   * more is answered, never served: each REQUEST in it with 503 UNAVAILABLE
   * `{code: 'TOO_MANY_PEERS'}` (never run, so safe to retry elsewhere), then
   * a DISCONNECT, so a Courier client moves on to another server. Nothing
   * about it is kept. @default 4096
   */
  maxPeers?: number;
  /**
   * Most request body bytes one peer may have in flight (received and not yet
   * answered: queued or running). A request that would exceed it is answered
   * at once with 429 OVERLOADED `{code: 'PEER_BUDGET'}` and never reaches
   * `onRequest`, so one peer cannot take the whole server-wide budget.
   * @default 64 MiB
   */
  maxPeerInflightBytes?: number;
  /**
   * Most reply bytes (envelopes and bodies) queued for one peer and not yet
   * handed to libzmq. A reply that would exceed it is replaced by 429
   * OVERLOADED `{code: 'SEND_QUEUE_FULL'}` (the handler did run). Must hold
   * at least one reply of the largest body. @default 32 MiB + 64 KiB
   */
  maxPeerSendQueueBytes?: number;
  /**
   * The bytes libzmq may buffer per peer on receipt while this process is
   * busy. libzmq counts messages (ZMQ_RCVHWM), not bytes, so unless
   * `receiveHighWaterMark` is given it is derived: this budget over
   * `maxFrameBytes`, at least 2 messages (3 for the defaults, 48 MiB).
   * @default 64 MiB
   */
  receiveBufferBytes?: number;
}

export interface ResolvedServerLimits {
  readonly maxPeers: number;
  readonly maxPeerInflightBytes: number;
  readonly maxPeerSendQueueBytes: number;
  /** ZMQ_RCVHWM for the server's socket. */
  readonly receiveHighWaterMark: number;
}

export function resolveServerLimits(
  opts: ServerLimitOptions & { receiveHighWaterMark?: number },
  socket: ResolvedSocketOptions,
): ResolvedServerLimits {
  const maxPeerSendQueueBytes = positive(
    'maxPeerSendQueueBytes',
    opts.maxPeerSendQueueBytes ?? 2 * socket.limits.maxBodyBytes + 64 * 1024,
  );
  const receiveBufferBytes = positive('receiveBufferBytes', opts.receiveBufferBytes ?? 64 * MiB);
  return {
    maxPeers: positive('maxPeers', opts.maxPeers ?? 4096),
    maxPeerInflightBytes: positive('maxPeerInflightBytes', opts.maxPeerInflightBytes ?? 64 * MiB),
    maxPeerSendQueueBytes,
    receiveHighWaterMark:
      opts.receiveHighWaterMark ?? Math.max(2, Math.floor(receiveBufferBytes / socket.maxFrameBytes)),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Courier transport option ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/**
 * Answers `req` with OVERLOADED, and returns true, when its body would take
 * its peer's request bytes in flight past `max`. It never ran, so the caller
 * may retry it later or elsewhere.
 */
export function refusedOverBudget(peer: Peer, req: ServerRequest<Peer>, max: number): boolean {
  if (peer.inflightBytes + req.bodyBytes <= max) return false;
  if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: 'PEER_BUDGET' });
  req.reply({
    status: Status.OVERLOADED,
    message: `this peer already has ${peer.inflightBytes} request bytes in flight (limit ${max})`,
    details: { code: 'PEER_BUDGET' },
  });
  return true;
}
