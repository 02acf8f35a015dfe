import { Command, FLAG_DRAINING, RPC_SIGNATURE } from './constants.js';
import type { Metadata, Packet } from './envelope.js';
import { msgpack } from './msgpack.js';
import {
  appendEnvelope,
  EnvelopeFrame,
  MAX_FAST_STRING,
  NOT_WRITTEN,
  putOptionalShortAscii,
  putShortAscii,
  putUint,
  writeFastStringMap,
} from './pack-envelope.js';

/**
 * Encoding and decoding of request/reply messages:
 *
 *   frame 0      signature "CRR" + version byte
 *   frame 1      envelopes: one per packet (batching), back to back, each a
 *                MessagePack array [command, body_frame_count, ...fields]
 *   frames 2..   the packets' body frames, in packet order, never re-encoded
 *
 * One envelopes frame per message, rather than an envelope frame per packet,
 * halves the ZeroMQ frames per request; each frame costs about 1 µs of CPU
 * across send, the I/O threads and receive, far more than its encoding.
 *
 * See docs/protocol.md for the normative layout.
 */

/** Frames for one packet: its envelope and its body frames, without the signature. */
export function encodePacket(packet: Packet): Buffer[] {
  const frames = [encodeEnvelope(packet)];
  if (packet.cmd === Command.REQUEST || packet.cmd === Command.REPLY)
    for (const f of packet.body) frames.push(f);
  return frames;
}

/** The encoded envelope of one packet, in a Buffer of its own. */
export function encodeEnvelope(packet: Packet): Buffer {
  const frame = new EnvelopeFrame(64);
  appendPacketEnvelope(frame, packet);
  return frame.bytes();
}

/** Appends the envelope of one packet; its body frames (if any) travel as they are. */
export function appendPacketEnvelope(out: EnvelopeFrame, packet: Packet): void {
  switch (packet.cmd) {
    case Command.REQUEST:
      appendRequestEnvelope(
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
      appendReplyEnvelope(
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
      appendEnvelope(out, [Command.CANCEL, 0, packet.id]);
      return;
    case Command.HEARTBEAT:
      appendEnvelope(out, [
        Command.HEARTBEAT,
        0,
        packet.intervalMs,
        packet.liveness,
        packet.draining ? FLAG_DRAINING : 0,
      ]);
      return;
    case Command.DISCONNECT:
      appendEnvelope(out, [Command.DISCONNECT, 0, packet.reason ?? null]);
      return;
  }
}

// The two envelopes sent once per call, written field by field (each field's
// type is known here), so the hot paths build no packet object or field
// array just to encode them. Integer fields must be unsigned 32-bit integers.

/** Appends a REQUEST envelope: `[1, body_frames, id, method, deadline_ms, meta, content_type]`. */
export function appendRequestEnvelope(
  out: EnvelopeFrame,
  bodyFrames: number,
  id: number,
  method: string,
  deadlineMs: number,
  meta: Metadata | undefined,
  contentType: string | undefined,
  methods?: MethodCache,
): void {
  const start = out.length;
  if (isUint32(bodyFrames) && isUint32(id) && isUint32(deadlineMs)) {
    // Room for all but the metadata, whose writer makes its own.
    const buf = out.room(MAX_FAST_FIELDS_BYTES);
    buf[start] = 0x97;
    buf[start + 1] = Command.REQUEST;
    let at = putUint(buf, start + 2, bodyFrames);
    at = putUint(buf, at, id);
    at = putMethod(buf, at, method, methods);
    if (at !== NOT_WRITTEN) {
      out.length = putUint(buf, at, deadlineMs);
      if (appendMetaAndContentType(out, meta, contentType)) return;
    }
    out.length = start;
  }
  out.append(
    msgpack.pack([Command.REQUEST, bodyFrames, id, method, deadlineMs, meta ?? null, contentType ?? null]),
  );
}

/** Appends a REPLY envelope: `[2, body_frames, id, status, message, details, meta, content_type]`. */
export function appendReplyEnvelope(
  out: EnvelopeFrame,
  bodyFrames: number,
  id: number,
  status: number,
  message: string | undefined,
  details: unknown,
  meta: Metadata | undefined,
  contentType: string | undefined,
): void {
  const start = out.length;
  if (details == null && isUint32(bodyFrames) && isUint32(id) && isUint32(status)) {
    const buf = out.room(MAX_FAST_FIELDS_BYTES);
    buf[start] = 0x98;
    buf[start + 1] = Command.REPLY;
    let at = putUint(buf, start + 2, bodyFrames);
    at = putUint(buf, at, id);
    at = putUint(buf, at, status);
    at = putOptionalShortAscii(buf, at, message);
    if (at !== NOT_WRITTEN) {
      buf[at] = 0xc0; // details
      out.length = at + 1;
      if (appendMetaAndContentType(out, meta, contentType)) return;
    }
    out.length = start;
  }
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

/**
 * A client sends most of its requests to one or a few methods: copying the
 * last method's encoded bytes costs a fraction of encoding it again. One per
 * socket (FastCodec owns it).
 */
export class MethodCache {
  method = '';
  bytes: Buffer = Buffer.alloc(0);
}

/** putShortAscii for a method name, through a one-entry cache when there is one. */
function putMethod(buf: Buffer, at: number, method: string, cache: MethodCache | undefined): number {
  if (cache !== undefined && method === cache.method) {
    buf.set(cache.bytes, at);
    return at + cache.bytes.length;
  }
  const end = putShortAscii(buf, at, method);
  if (end !== NOT_WRITTEN && cache !== undefined) {
    cache.method = method;
    cache.bytes = Buffer.from(buf.subarray(at, end));
  }
  return end;
}

/**
 * Room for the fields of a REQUEST or REPLY envelope but its metadata: a
 * header and command, four integers and a string, or one string more.
 */
const MAX_FAST_FIELDS_BYTES = 2 + 4 * 5 + 2 * (1 + MAX_FAST_STRING) + 1;

/**
 * Appends the last two fields of a REQUEST or REPLY envelope on the fast
 * path; returns false (the caller rolls back) when either is not for it.
 */
function appendMetaAndContentType(
  out: EnvelopeFrame,
  meta: Metadata | undefined,
  contentType: string | undefined,
): boolean {
  if (!writeFastStringMap(out, meta)) return false;
  const at = putOptionalShortAscii(out.room(MAX_FAST_FIELDS_BYTES), out.length, contentType);
  if (at === NOT_WRITTEN) return false;
  out.length = at;
  return true;
}

/** An integer in 0..2^32-1, which putUint takes. */
function isUint32(v: number): boolean {
  return v >>> 0 === v;
}

/** A whole message carrying the given packets. */
export function encodeMessage(packets: readonly Packet[]): Buffer[] {
  const envelopes = new EnvelopeFrame();
  const frames: Buffer[] = [RPC_SIGNATURE, RPC_SIGNATURE];
  for (const p of packets) {
    appendPacketEnvelope(envelopes, p);
    if (p.cmd === Command.REQUEST || p.cmd === Command.REPLY) for (const f of p.body) frames.push(f);
  }
  frames[1] = envelopes.bytes();
  return frames;
}
