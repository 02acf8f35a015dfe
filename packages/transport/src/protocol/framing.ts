import {
  Command,
  MAX_REQUEST_ID,
  MESSAGE_LEVEL_ID,
  PROTOCOL_VERSION,
  RPC_SIGNATURE,
  Status,
} from './constants.js';
import type { Metadata, Packet, ReplyPacket, RequestPacket } from './envelope.js';
import {
  bodyBytes,
  isMetadata,
  isOptionalString,
  isUint,
  MAX_DEADLINE_MS,
  MAX_METHOD_LENGTH,
  MAX_STATUS,
} from './limits.js';
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
import { NOT_FAST, readFastPacket } from './read-packet.js';

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

/** Limits enforced while decoding, on top of libzmq's ZMQ_MAXMSGSIZE. */
export interface DecodeLimits {
  /** Largest envelope frame accepted, in bytes. */
  maxEnvelopeBytes: number;
  /** Largest total body (all body frames of one packet), in bytes. */
  maxBodyBytes: number;
  /** Most packets accepted in one message. */
  maxPacketsPerMessage: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxEnvelopeBytes: 64 * 1024,
  maxBodyBytes: 16 * 1024 * 1024,
  maxPacketsPerMessage: 4096,
};

/** Why (part of) a message could not be decoded. Stable codes, listed in docs/protocol.md. */
export type DecodeErrorCode =
  | 'NOT_COURIER'
  | 'UNSUPPORTED_VERSION'
  | 'MALFORMED_ENVELOPE'
  | 'UNKNOWN_COMMAND'
  | 'INVALID_FIELD'
  | 'TOO_LARGE'
  | 'TOO_MANY_PACKETS';

export interface DecodeError {
  readonly code: DecodeErrorCode;
  /** The request id the error concerns, or 0 when it concerns the whole message. */
  readonly id: number;
  /** The reply status a server sends back for it. */
  readonly status: Status;
  readonly message: string;
  /**
   * False when the sender is not known to speak Courier at all (no signature),
   * so nothing is sent back.
   */
  readonly replyable: boolean;
  /**
   * The command of the packet the error concerns, when its envelope could be
   * read; undefined for errors about the whole message. Lets a client tell a
   * broken REPLY (which answers one of its requests) from other bad packets.
   */
  readonly command?: number;
}

export interface DecodedMessage {
  readonly packets: Packet[];
  readonly errors: DecodeError[];
}

/** HEARTBEAT flag bit 0. */
export const FLAG_DRAINING = 1;

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
): void {
  const start = out.length;
  if (isUint32(bodyFrames) && isUint32(id) && isUint32(deadlineMs)) {
    // Room for all but the metadata, whose writer makes its own.
    const buf = out.room(MAX_FAST_FIELDS_BYTES);
    buf[start] = 0x97;
    buf[start + 1] = Command.REQUEST;
    let at = putUint(buf, start + 2, bodyFrames);
    at = putUint(buf, at, id);
    at = putMethod(buf, at, method);
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
 * last method's encoded bytes costs a fraction of encoding it again.
 */
let lastMethod = '';
let lastMethodBytes: Buffer = Buffer.alloc(0);

/** putShortAscii for a method name, through a one-entry cache. */
function putMethod(buf: Buffer, at: number, method: string): number {
  if (method === lastMethod) {
    buf.set(lastMethodBytes, at);
    return at + lastMethodBytes.length;
  }
  const end = putShortAscii(buf, at, method);
  if (end !== NOT_WRITTEN) {
    lastMethod = method;
    lastMethodBytes = Buffer.from(buf.subarray(at, end));
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

function fail(
  code: DecodeErrorCode,
  id: number,
  status: Status,
  message: string,
  replyable = true,
): DecodeError {
  return { code, id, status, message, replyable };
}

/** An error about one packet whose envelope was readable. */
function failPacket(
  command: number,
  code: DecodeErrorCode,
  id: number,
  status: Status,
  message: string,
): DecodeError {
  return { code, id, status, message, replyable: true, command };
}

// A module function, not a closure per packet: toPacket runs once per packet
// on the hot path (and tsx's keepNames wraps every named closure in __name()).
function invalid(id: number, cmd: unknown, field: string): DecodeError {
  return failPacket(
    cmd as number,
    'INVALID_FIELD',
    id,
    Status.BAD_REQUEST,
    `invalid envelope field "${field}" for command ${cmd}`,
  );
}

/**
 * Validates the fields of one envelope (as msgpackr decodes it). Returns the
 * packet, or an error that names the offending field. Exported as the
 * reference the fast reader (read-packet.ts) is tested against.
 *
 * Fields are read by index, not destructured: destructuring goes through the
 * array iterator.
 */
export function toPacket(env: unknown[], body: Buffer[], limits: DecodeLimits): Packet | DecodeError {
  const cmd = env[0];
  // Position 2 is the request id for every command that has one (and, by the
  // same convention, for commands this version does not know); use it for
  // error replies whenever it is a valid id. HEARTBEAT and DISCONNECT carry
  // other fields there, so their errors concern the whole message.
  const id =
    cmd !== Command.HEARTBEAT && cmd !== Command.DISCONNECT && isUint(env[2], MAX_REQUEST_ID)
      ? env[2]
      : MESSAGE_LEVEL_ID;

  switch (cmd) {
    case Command.REQUEST: {
      const rid = env[2];
      const method = env[3];
      const deadlineMs = env[4];
      const meta = env[5];
      const contentType = env[6];
      if (!isUint(rid, MAX_REQUEST_ID) || rid === MESSAGE_LEVEL_ID) return invalid(id, cmd, 'id');
      if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH)
        return invalid(id, cmd, 'method');
      if (!isUint(deadlineMs, MAX_DEADLINE_MS)) return invalid(id, cmd, 'deadline_ms');
      if (!isMetadata(meta)) return invalid(id, cmd, 'meta');
      if (!isOptionalString(contentType)) return invalid(id, cmd, 'content_type');
      if (bodyBytes(body) > limits.maxBodyBytes) {
        return failPacket(
          cmd,
          'TOO_LARGE',
          rid,
          Status.TOO_LARGE,
          `request body exceeds ${limits.maxBodyBytes} bytes`,
        );
      }
      return {
        cmd,
        id: rid,
        method,
        deadlineMs,
        meta: meta ?? undefined,
        contentType: contentType ?? undefined,
        body,
      };
    }
    case Command.REPLY: {
      const rid = env[2];
      const status = env[3];
      const message = env[4];
      const details = env[5];
      const meta = env[6];
      const contentType = env[7];
      if (!isUint(rid, MAX_REQUEST_ID)) return invalid(id, cmd, 'id');
      if (!isUint(status, MAX_STATUS)) return invalid(id, cmd, 'status');
      if (!isOptionalString(message)) return invalid(id, cmd, 'message');
      if (!isMetadata(meta)) return invalid(id, cmd, 'meta');
      if (!isOptionalString(contentType)) return invalid(id, cmd, 'content_type');
      if (bodyBytes(body) > limits.maxBodyBytes) {
        return failPacket(
          cmd,
          'TOO_LARGE',
          rid,
          Status.TOO_LARGE,
          `reply body exceeds ${limits.maxBodyBytes} bytes`,
        );
      }
      return {
        cmd,
        id: rid,
        status,
        message: message ?? undefined,
        details: details ?? undefined,
        meta: meta ?? undefined,
        contentType: contentType ?? undefined,
        body,
      };
    }
    case Command.CANCEL: {
      const rid = env[2];
      if (!isUint(rid, MAX_REQUEST_ID) || rid === MESSAGE_LEVEL_ID) return invalid(id, cmd, 'id');
      return { cmd, id: rid };
    }
    case Command.HEARTBEAT: {
      const intervalMs = env[2];
      const liveness = env[3];
      const flags = env[4];
      if (!isUint(intervalMs, 3_600_000) || intervalMs === 0) return invalid(id, cmd, 'interval_ms');
      if (!isUint(liveness, 1000) || liveness === 0) return invalid(id, cmd, 'liveness');
      if (flags != null && !isUint(flags, 0xffff_ffff)) return invalid(id, cmd, 'flags');
      // Unknown flag bits are ignored, so later versions can add their own.
      return { cmd, intervalMs, liveness, draining: ((flags ?? 0) & FLAG_DRAINING) !== 0 };
    }
    case Command.DISCONNECT: {
      const reason = env[2];
      if (!isOptionalString(reason)) return invalid(id, cmd, 'reason');
      return { cmd, reason: reason ?? undefined };
    }
    default:
      return failPacket(
        cmd as number,
        'UNKNOWN_COMMAND',
        id,
        Status.UNSUPPORTED,
        `unknown command ${String(cmd)}; protocol version ${PROTOCOL_VERSION} knows commands 1-5`,
      );
  }
}

/**
 * Decodes one ZeroMQ message (without the ROUTER identity frame). Never
 * throws: whatever cannot be decoded is reported in `errors`, and every packet
 * decoded before the first unrecoverable error is returned.
 */
export function decodeMessage(
  frames: readonly Buffer[],
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  /** Index of the signature frame: 1 on a ROUTER, whose frame 0 is the routing id. */
  start = 0,
): DecodedMessage {
  const packets: Packet[] = [];
  const errors: DecodeError[] = [];
  const sig = frames[start];
  if (
    sig === undefined ||
    sig.length !== RPC_SIGNATURE.length ||
    sig[0] !== RPC_SIGNATURE[0] ||
    sig[1] !== RPC_SIGNATURE[1] ||
    sig[2] !== RPC_SIGNATURE[2]
  ) {
    errors.push(fail('NOT_COURIER', 0, Status.BAD_REQUEST, 'missing Courier signature frame', false));
    return { packets, errors };
  }
  if (sig[3] !== PROTOCOL_VERSION) {
    errors.push(
      fail(
        'UNSUPPORTED_VERSION',
        0,
        Status.UNSUPPORTED,
        `unsupported protocol version ${sig[3]}; this peer speaks version ${PROTOCOL_VERSION}`,
      ),
    );
    return { packets, errors };
  }
  if (frames.length < start + 2) {
    errors.push(fail('MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST, 'message has no envelope frame'));
    return { packets, errors };
  }

  // Body frames are consumed in packet order as the envelopes are read.
  let i = start + 2;
  let n = 0;
  const envelopes = frames[start + 1]!;
  if (envelopes.length === 0) {
    errors.push(fail('MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST, 'envelope 1 is not valid MessagePack'));
    return { packets, errors };
  }
  let at = 0;
  while (at < envelopes.length) {
    if (n < limits.maxPacketsPerMessage) {
      const end = readFastPacket(envelopes, at, frames, i, limits, packets);
      if (end !== NOT_FAST) {
        n++;
        // The fast reader reads only REQUEST and REPLY packets.
        i += (packets[packets.length - 1] as RequestPacket | ReplyPacket).body.length;
        at = end;
        continue;
      }
    }
    // Any other envelope goes through the strict codec, one at a time, and the
    // checks below, which also find whatever is wrong with it.
    let env: unknown;
    let size = 0;
    try {
      msgpack.unpackMultiple(envelopes.subarray(at), (value: unknown, _from = 0, to = 0) => {
        env = value;
        size = to;
        return false;
      });
    } catch (e) {
      // The strict codec's message names an offset and a reason, never the input.
      const why = e instanceof Error ? `: ${e.message}` : '';
      errors.push(
        fail('MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST, `envelope ${n + 1} is not valid MessagePack${why}`),
      );
      return { packets, errors };
    }
    // From here, an error stops decoding: the rest of the message cannot be trusted.
    if (n++ >= limits.maxPacketsPerMessage) {
      errors.push(
        fail('TOO_MANY_PACKETS', 0, Status.BAD_REQUEST, `more than ${limits.maxPacketsPerMessage} packets`),
      );
      return { packets, errors };
    }
    if (size > limits.maxEnvelopeBytes) {
      errors.push(
        fail('TOO_LARGE', 0, Status.TOO_LARGE, `envelope exceeds ${limits.maxEnvelopeBytes} bytes`),
      );
      return { packets, errors };
    }
    if (!Array.isArray(env) || !isUint(env[0], 255) || !isUint(env[1], frames.length - i)) {
      // Without a valid frame count the later packets' bodies cannot be found.
      errors.push(
        fail(
          'MALFORMED_ENVELOPE',
          0,
          Status.BAD_REQUEST,
          `envelope ${n} is not a MessagePack array [command, body_frame_count, ...] with at most ${frames.length - i} body frames`,
        ),
      );
      return { packets, errors };
    }
    const bodyCount = env[1] as number;
    const body =
      bodyCount === 0 ? [] : bodyCount === 1 ? [frames[i]!] : (frames.slice(i, i + bodyCount) as Buffer[]);
    i += bodyCount;
    const result = toPacket(env, body, limits);
    if ('code' in result) errors.push(result);
    else packets.push(result);
    at += size;
  }
  if (i < frames.length) {
    // Frames no envelope claims: the envelopes and bodies disagree, so the
    // sender's framing is broken even though every packet decoded.
    errors.push(
      fail(
        'MALFORMED_ENVELOPE',
        0,
        Status.BAD_REQUEST,
        `${frames.length - i} frame(s) after the last packet's body frames`,
      ),
    );
  }
  return { packets, errors };
}
