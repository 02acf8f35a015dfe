import { PROTOCOL_VERSION, RPC_SIGNATURE, Status } from './constants.js';
import { type DecodedMessage, type DecodeError, fail } from './decode-error.js';
import type { Packet, ReplyPacket, RequestPacket } from './envelope.js';
import { FastReader, NOT_FAST } from './fast-reader.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, isUint } from './limits.js';
import { msgpack } from './msgpack.js';
import { toPacket } from './validate.js';

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

/**
 * Decodes one ZeroMQ message (without the ROUTER identity frame). Never
 * throws: whatever cannot be decoded is reported in `errors`, and every packet
 * decoded before the first unrecoverable error is returned. For one-off use
 * (tools, tests): a socket decodes through its own Codec, whose fast reader
 * keeps its string cache from message to message.
 */
export function decodeMessage(
  frames: readonly Buffer[],
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  /** Index of the signature frame: 1 on a ROUTER, whose frame 0 is the routing id. */
  start = 0,
): DecodedMessage {
  return decodeWith(new FastReader(), frames, limits, start);
}

/**
 * decodeMessage with the given fast reader, or with msgpackr and the field
 * checks of validate.ts alone when `reader` is undefined (GenericCodec).
 */
export function decodeWith(
  reader: FastReader | undefined,
  frames: readonly Buffer[],
  limits: DecodeLimits,
  start: number,
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
    if (reader !== undefined && n < limits.maxPacketsPerMessage) {
      const end = reader.read(envelopes, at, frames, i, limits, packets);
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
