import { Command, FLAG_DRAINING, RPC_SIGNATURE } from './constants.js';
import { decodeWith } from './decode.js';
import type { DecodedMessage } from './decode-error.js';
import { appendPacketEnvelope, appendReplyEnvelope, appendRequestEnvelope, MethodCache } from './encode.js';
import type { Metadata, Packet } from './envelope.js';
import { FastReader } from './fast-reader.js';
import type { DecodeLimits } from './limits.js';
import { msgpack } from './msgpack.js';
import { EnvelopeFrame, Slab } from './pack-envelope.js';

/**
 * The request/reply protocol's codec, one instance per socket: everything it
 * keeps between messages (the fast reader's string cache, the last method
 * written, the slab envelopes frames are carved from) is that socket's alone.
 *
 * Two implementations write the same bytes and read the same packets and
 * errors (codec.test.ts runs one conformance suite against both):
 * - FastCodec: the hand-written reader and writer for the shapes nearly all
 *   traffic has, falling back to msgpackr for anything else. The sockets use it.
 * - GenericCodec: msgpackr and the field checks of validate.ts only: the
 *   reference the fast path is held to.
 */
export interface Codec {
  /** Decodes one message; never throws. `start` is the signature frame's index (1 on a ROUTER). */
  decode(frames: readonly Buffer[], limits: DecodeLimits, start: number): DecodedMessage;
  /** A new envelopes frame to append to (BatchWriter: one per message). */
  frame(capacity?: number): EnvelopeFrame;
  /** Appends a REQUEST envelope: `[1, body_frames, id, method, deadline_ms, meta, content_type]`. */
  appendRequest(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    method: string,
    deadlineMs: number,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void;
  /** Appends a REPLY envelope: `[2, body_frames, id, status, message, details, meta, content_type]`. */
  appendReply(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    status: number,
    message: string | undefined,
    details: unknown,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void;
  /** Appends any packet's envelope (CANCEL, HEARTBEAT, DISCONNECT and the rest). */
  appendPacket(out: EnvelopeFrame, packet: Packet): void;
}

export class FastCodec implements Codec {
  readonly #reader = new FastReader();
  readonly #methods = new MethodCache();
  readonly #slab = new Slab();

  decode(frames: readonly Buffer[], limits: DecodeLimits, start: number): DecodedMessage {
    return decodeWith(this.#reader, frames, limits, start);
  }

  frame(capacity?: number): EnvelopeFrame {
    return new EnvelopeFrame(capacity, this.#slab);
  }

  appendRequest(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    method: string,
    deadlineMs: number,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void {
    appendRequestEnvelope(out, bodyFrames, id, method, deadlineMs, meta, contentType, this.#methods);
  }

  appendReply(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    status: number,
    message: string | undefined,
    details: unknown,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void {
    appendReplyEnvelope(out, bodyFrames, id, status, message, details, meta, contentType);
  }

  appendPacket(out: EnvelopeFrame, packet: Packet): void {
    appendPacketEnvelope(out, packet);
  }
}

export class GenericCodec implements Codec {
  decode(frames: readonly Buffer[], limits: DecodeLimits, start: number): DecodedMessage {
    return decodeWith(undefined, frames, limits, start);
  }

  frame(capacity?: number): EnvelopeFrame {
    return new EnvelopeFrame(capacity);
  }

  appendRequest(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    method: string,
    deadlineMs: number,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void {
    out.append(
      msgpack.pack([Command.REQUEST, bodyFrames, id, method, deadlineMs, meta ?? null, contentType ?? null]),
    );
  }

  appendReply(
    out: EnvelopeFrame,
    bodyFrames: number,
    id: number,
    status: number,
    message: string | undefined,
    details: unknown,
    meta: Metadata | undefined,
    contentType: string | undefined,
  ): void {
    out.append(
      msgpack.pack([
        Command.REPLY,
        bodyFrames,
        id,
        status,
        message ?? null,
        details ?? null,
        meta ?? null,
        contentType ?? null,
      ]),
    );
  }

  appendPacket(out: EnvelopeFrame, packet: Packet): void {
    switch (packet.cmd) {
      case Command.REQUEST:
        this.appendRequest(
          out,
          packet.body.length,
          packet.id,
          packet.method,
          packet.deadlineMs,
          packet.meta,
          packet.contentType,
        );
        return;
      case Command.REPLY:
        this.appendReply(
          out,
          packet.body.length,
          packet.id,
          packet.status,
          packet.message,
          packet.details,
          packet.meta,
          packet.contentType,
        );
        return;
      case Command.CANCEL:
        out.append(msgpack.pack([Command.CANCEL, 0, packet.id]));
        return;
      case Command.HEARTBEAT:
        out.append(
          msgpack.pack([
            Command.HEARTBEAT,
            0,
            packet.intervalMs,
            packet.liveness,
            packet.draining ? FLAG_DRAINING : 0,
          ]),
        );
        return;
      case Command.DISCONNECT:
        out.append(msgpack.pack([Command.DISCONNECT, 0, packet.reason ?? null]));
        return;
    }
  }
}

/** A whole message carrying the given packets, through `codec`. */
export function encodeMessageWith(codec: Codec, packets: readonly Packet[]): Buffer[] {
  const envelopes = codec.frame();
  const frames: Buffer[] = [RPC_SIGNATURE, RPC_SIGNATURE];
  for (const p of packets) {
    codec.appendPacket(envelopes, p);
    if (p.cmd === Command.REQUEST || p.cmd === Command.REPLY) for (const f of p.body) frames.push(f);
  }
  frames[1] = envelopes.bytes();
  return frames;
}
