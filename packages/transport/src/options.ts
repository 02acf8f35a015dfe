import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './protocol/framing.js';

/** Options shared by the server and client sockets. Every field has a default. */
export interface SocketOptions {
  /**
   * How often this side sends a HEARTBEAT when it has sent nothing else, in ms.
   * The value travels in every HEARTBEAT so the peer can judge us by it.
   * @default 1000
   */
  heartbeatIntervalMs?: number;
  /**
   * How many of the *peer's* advertised intervals may pass in silence before
   * this side declares the peer dead.
   * @default 3
   */
  heartbeatLiveness?: number;
  /**
   * The longest peer heartbeat interval this side believes, in ms: a larger
   * advertised interval is clamped to it (never below our own interval), so a
   * peer that advertises an hour and vanishes is dropped within
   * `heartbeatLiveness` times this, not hours later (docs/protocol.md, 9).
   * @default 30000
   */
  maxPeerHeartbeatIntervalMs?: number;
  /** ZMQ_SNDHWM: messages queued per peer before sends block or drop. @default 10000 */
  sendHighWaterMark?: number;
  /** ZMQ_RCVHWM. @default 10000 */
  receiveHighWaterMark?: number;
  /**
   * ZMQ_MAXMSGSIZE: the largest frame libzmq accepts; a peer sending a larger
   * one is disconnected by libzmq. @default 16 MiB + 64 KiB
   */
  maxFrameBytes?: number;
  /** Limits checked while decoding envelopes (see DecodeLimits). */
  limits?: Partial<DecodeLimits>;
  /**
   * Most packets coalesced into one ZeroMQ message. Batching raises throughput
   * under load; the bound keeps one huge batch from adding latency.
   * @default 128
   */
  maxBatchPackets?: number;
  /** Most bytes coalesced into one ZeroMQ message. @default 256 KiB */
  maxBatchBytes?: number;
}

export interface ResolvedSocketOptions {
  heartbeatIntervalMs: number;
  heartbeatLiveness: number;
  maxPeerHeartbeatIntervalMs: number;
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  maxFrameBytes: number;
  limits: DecodeLimits;
  maxBatchPackets: number;
  maxBatchBytes: number;
}

export function resolveSocketOptions(opts: SocketOptions = {}): ResolvedSocketOptions {
  const limits = { ...DEFAULT_DECODE_LIMITS, ...opts.limits };
  return {
    heartbeatIntervalMs: positive('heartbeatIntervalMs', opts.heartbeatIntervalMs ?? 1000),
    heartbeatLiveness: positive('heartbeatLiveness', opts.heartbeatLiveness ?? 3),
    maxPeerHeartbeatIntervalMs: positive(
      'maxPeerHeartbeatIntervalMs',
      opts.maxPeerHeartbeatIntervalMs ?? 30_000,
    ),
    sendHighWaterMark: positive('sendHighWaterMark', opts.sendHighWaterMark ?? 10_000),
    receiveHighWaterMark: positive('receiveHighWaterMark', opts.receiveHighWaterMark ?? 10_000),
    maxFrameBytes: positive('maxFrameBytes', opts.maxFrameBytes ?? limits.maxBodyBytes + 64 * 1024),
    limits,
    maxBatchPackets: positive('maxBatchPackets', opts.maxBatchPackets ?? 128),
    maxBatchBytes: positive('maxBatchBytes', opts.maxBatchBytes ?? 256 * 1024),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Courier transport option ${name} must be a positive number, got ${value}`);
  }
  return value;
}
