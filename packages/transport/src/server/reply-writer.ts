import { performance } from 'node:perf_hooks';
import type * as zmq from 'zeromq';
import { BatchWriter } from '../batch-writer.js';
import { bytesChannel, droppedChannel } from '../diagnostics.js';
import type { ResolvedSocketOptions } from '../options.js';
import type { FastCodec } from '../protocol/codec.js';
import { Command, Status } from '../protocol/constants.js';
import type { DecodeError } from '../protocol/decode-error.js';
import { encodeEnvelope } from '../protocol/encode.js';
import type { Packet } from '../protocol/envelope.js';
import { bodyBytes, truncateText } from '../protocol/limits.js';
import type { OutgoingReply } from '../request.js';
import {
  checkReply,
  checkReplyEnvelope,
  type SendLimitViolation,
  sendQueueFull,
  unencodableReply,
} from '../send-limits.js';
import { WarningThrottle } from '../warning-throttle.js';
import type { Peer } from './peer.js';

/**
 * Everything the server sends, batched per peer: replies kept within the
 * limits the caller's decoder enforces, the error replies that stand in for
 * those that break them, heartbeats and DISCONNECTs.
 */
export class ReplyWriter {
  readonly #opts: ResolvedSocketOptions;
  readonly #codec: FastCodec;
  readonly #writer: BatchWriter;
  readonly #maxQueueBytes: number;
  readonly #refusals = new WarningThrottle(10_000);
  /** The HEARTBEAT envelope this server sends: not draining, then draining. */
  readonly #heartbeats: readonly [Buffer, Buffer];

  /**
   * `maxQueueBytes` bounds the bytes queued per peer; `onUnroutable` hears of
   * a peer whose connection is gone (a send to it failed with EHOSTUNREACH).
   */
  constructor(
    opts: ResolvedSocketOptions,
    codec: FastCodec,
    sock: zmq.Router,
    maxQueueBytes: number,
    onUnroutable: (key: string) => void,
  ) {
    this.#opts = opts;
    this.#maxQueueBytes = maxQueueBytes;
    const heartbeat = (draining: boolean) =>
      encodeEnvelope({
        cmd: Command.HEARTBEAT,
        intervalMs: opts.heartbeatIntervalMs,
        liveness: opts.heartbeatLiveness,
        draining,
      });
    this.#heartbeats = [heartbeat(false), heartbeat(true)];
    this.#codec = codec;
    this.#writer = new BatchWriter({
      codec,
      maxBatchPackets: opts.maxBatchPackets,
      maxBatchBytes: opts.maxBatchBytes,
      send: (frames) => {
        if (bytesChannel.hasSubscribers) {
          bytesChannel.publish({
            side: 'server',
            direction: 'out',
            bytes: bodyBytes(frames) - frames[0]!.length,
          });
        }
        return sock.send(frames);
      },
      onSendError: (err, key) => {
        const unroutable = (err as { code?: string }).code === 'EHOSTUNREACH';
        if (droppedChannel.hasSubscribers) {
          droppedChannel.publish({ side: 'server', reason: unroutable ? 'UNROUTABLE' : 'SEND_FAILED' });
        }
        if (unroutable) onUnroutable(key);
      },
    });
  }

  /** Resolves once everything queued so far was handed to the socket. */
  flushed(): Promise<void> {
    return this.#writer.flushed();
  }

  /** Queues the reply to request `id`, or the error reply that replaces it when it breaks a limit. */
  reply(peer: Peer, id: number, reply: OutgoingReply): void {
    const body = reply.body ?? NO_BODY;
    const violation = this.#writeReply(peer, id, reply, body);
    if (violation !== undefined) this.#refuseReply(peer, id, violation);
  }

  /**
   * Queues a reply, kept within the limits the caller's decoder enforces: a
   * reply it dropped would leave the caller waiting for its deadline. An
   * over-long message is truncated; a reply that cannot be sent as it is is
   * not queued, and the reason is returned.
   */
  #writeReply(
    peer: Peer,
    id: number,
    reply: OutgoingReply,
    body: readonly Buffer[],
  ): SendLimitViolation | undefined {
    const limits = this.#opts.limits;
    const bytes = bodyBytes(body);
    const violation = checkReply(reply, bytes, limits);
    if (violation !== undefined) return violation;
    // The envelope goes straight into the frame of the batch it travels in.
    const envelopes = this.#writer.open(peer.key, peer.route, bytes);
    const queued = this.#writer.openedQueueBytes;
    if (queued + bytes > this.#maxQueueBytes) {
      this.#writer.rollback();
      return sendQueueFull(bytes, queued, this.#maxQueueBytes);
    }
    try {
      this.#codec.appendReply(
        envelopes,
        body.length,
        id,
        reply.status,
        typeof reply.message === 'string' ? truncateText(reply.message) : undefined,
        reply.details,
        reply.meta,
        reply.contentType,
      );
    } catch (cause) {
      this.#writer.rollback();
      return unencodableReply(cause);
    }
    const tooLarge = checkReplyEnvelope(this.#writer.openedBytes, limits);
    if (tooLarge !== undefined) {
      this.#writer.rollback();
      return tooLarge;
    }
    this.#writer.commit(body);
    return undefined;
  }

  /**
   * Sends the error reply (413 or 500), without a body, that replaces a
   * reply that breaks a limit; counted as dropped.
   */
  #refuseReply(peer: Peer, id: number, violation: SendLimitViolation): void {
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: violation.code });
    // The caller gets the typed error; the server's log hears of it too,
    // throttled, since a handler that builds oversized replies does so often.
    const suppressed = this.#refusals.take(performance.now());
    if (suppressed !== undefined) {
      const more = suppressed > 0 ? ` (${suppressed} more not shown)` : '';
      process.emitWarning(
        `Courier reply to ${peer.route.toString('hex')} refused: ${violation.message}${more}`,
        {
          code: violation.code,
        },
      );
    }
    this.error(peer, id, violation.status, violation.message, { code: violation.code });
  }

  /** Queues an error reply, without a body, to request `id`. */
  error(peer: Peer, id: number, status: Status, message: string, details?: unknown): void {
    this.send(peer, {
      cmd: Command.REPLY,
      id,
      status,
      message,
      details,
      meta: undefined,
      contentType: undefined,
      body: [],
    });
  }

  send(peer: Peer, packet: Packet): void {
    peer.sentSinceTick = true;
    this.#writer.enqueue(peer.key, peer.route, encodeEnvelope(packet));
  }

  heartbeat(peer: Peer, draining: boolean): void {
    // Traffic like any other (docs/protocol.md 9.1 rule 1): the answer to an
    // introduction is followed by the next HEARTBEAT only after an interval.
    peer.sentSinceTick = true;
    // The same bytes for every peer: a tick over thousands encodes nothing.
    const envelope = draining ? this.#heartbeats[1] : this.#heartbeats[0];
    this.#writer.enqueue(peer.key, peer.route, envelope);
  }

  /**
   * Answers a message from a route the server will not take as a peer (it
   * already has maxPeers): each REQUEST in it gets 503 UNAVAILABLE (it never
   * ran), then a DISCONNECT tells the sender to go elsewhere.
   */
  refusePeer(route: Buffer, packets: readonly Packet[]): void {
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: 'TOO_MANY_PEERS' });
    for (const packet of packets) {
      if (packet.cmd !== Command.REQUEST) continue;
      this.sendTo(
        route,
        encodeEnvelope({
          cmd: Command.REPLY,
          id: packet.id,
          status: Status.UNAVAILABLE,
          message: 'server has too many peers; try another',
          details: { code: 'TOO_MANY_PEERS' },
          meta: undefined,
          contentType: undefined,
          body: [],
        }),
      );
    }
    this.sendTo(route, encodeEnvelope({ cmd: Command.DISCONNECT, reason: 'too many peers' }));
  }

  /** Queues an envelope to a route that may not be a peer (yet, or any more). */
  sendTo(route: Buffer, envelope: Buffer): void {
    this.#writer.enqueue(route.toString('latin1'), Buffer.from(route), envelope);
  }
}

/** The error REPLY answering a message the server could not decode. */
export function decodeErrorEnvelope(error: DecodeError): Buffer {
  return encodeEnvelope({
    cmd: Command.REPLY,
    id: error.id,
    status: error.status,
    message: error.message,
    details: { code: error.code },
    meta: undefined,
    contentType: undefined,
    body: [],
  });
}

const NO_BODY: readonly Buffer[] = [];
