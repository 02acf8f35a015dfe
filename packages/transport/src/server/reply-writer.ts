import type * as zmq from 'zeromq';
import { BatchWriter } from '../batch-writer.js';
import { bytesChannel, droppedChannel } from '../diagnostics.js';
import type { ResolvedSocketOptions } from '../options.js';
import type { FastCodec } from '../protocol/codec.js';
import { Command, type Status } from '../protocol/constants.js';
import type { DecodeError } from '../protocol/decode-error.js';
import { encodeEnvelope } from '../protocol/encode.js';
import type { Packet } from '../protocol/envelope.js';
import { bodyBytes, truncateText } from '../protocol/limits.js';
import type { OutgoingReply } from '../request.js';
import { checkReply, checkReplyEnvelope, type SendLimitViolation, unencodableReply } from '../send-limits.js';
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

  constructor(opts: ResolvedSocketOptions, codec: FastCodec, sock: zmq.Router) {
    this.#opts = opts;
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
      onSendError: (err) => {
        const code = (err as { code?: string }).code;
        if (droppedChannel.hasSubscribers) {
          droppedChannel.publish({
            side: 'server',
            reason: code === 'EHOSTUNREACH' ? 'UNROUTABLE' : 'SEND_FAILED',
          });
        }
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
    this.#writer.enqueue(
      peer.key,
      peer.route,
      encodeEnvelope({
        cmd: Command.HEARTBEAT,
        intervalMs: this.#opts.heartbeatIntervalMs,
        liveness: this.#opts.heartbeatLiveness,
        draining,
      }),
    );
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
