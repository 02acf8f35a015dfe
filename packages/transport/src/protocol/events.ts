import { Command, EVENT_SIGNATURE, PROTOCOL_VERSION } from './constants.js';
import type { DecodeErrorCode } from './decode-error.js';
import type { EventPacket } from './envelope.js';
import {
  bodyBytes,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  isMetadata,
  isOptionalString,
  isUint,
} from './limits.js';
import { msgpack } from './msgpack.js';

/**
 * Encoding and decoding of event messages (PUB/SUB), one event per message:
 *
 *   frame 0      topic, UTF-8 "<service>.<event>" (the SUB prefix filter)
 *   frame 1      signature "CRE" + version byte
 *   frame 2      envelope, MessagePack array
 *                [6, body_frame_count, seq, timestamp_ms, meta|nil, content_type|nil]
 *   then         body_frame_count body frames, never re-encoded
 *
 * See docs/protocol.md, "Events", for the normative layout.
 */

/** Longest topic accepted, in bytes. Service (63) + "." + event (63) fits with room to spare. */
export const MAX_TOPIC_BYTES = 256;

/** Why an event message could not be decoded. The codes are shared with request/reply decoding. */
export interface EventDecodeError {
  readonly code: Exclude<DecodeErrorCode, 'TOO_MANY_PACKETS'>;
  readonly message: string;
}

/** The outcome of decodeEvent: exactly one of `event` and `error` is set. */
export type DecodedEvent =
  | { readonly event: EventPacket; readonly error?: undefined }
  | { readonly event?: undefined; readonly error: EventDecodeError };

/** The envelope without body frames: topic, signature, envelope. */
const HEAD_FRAMES = 3;

/** The frames of one event message, ready for `publisher.send()`. */
export function encodeEvent(event: EventPacket): Buffer[] {
  return [
    Buffer.from(event.topic, 'utf8'),
    EVENT_SIGNATURE,
    msgpack.pack([
      Command.EVENT,
      event.body.length,
      event.seq,
      event.timestampMs,
      event.meta ?? null,
      event.contentType ?? null,
    ]),
    ...event.body,
  ];
}

/**
 * Decodes one event message as received by a SUB socket. Never throws:
 * anything that is not a well-formed event comes back as `error`.
 */
export function decodeEvent(
  frames: readonly Buffer[],
  limits: Pick<DecodeLimits, 'maxEnvelopeBytes' | 'maxBodyBytes'> = DEFAULT_DECODE_LIMITS,
): DecodedEvent {
  const [topicFrame, sig, envFrame] = frames;
  if (
    sig === undefined ||
    sig.length !== EVENT_SIGNATURE.length ||
    sig[0] !== EVENT_SIGNATURE[0] ||
    sig[1] !== EVENT_SIGNATURE[1] ||
    sig[2] !== EVENT_SIGNATURE[2]
  ) {
    return fail('NOT_COURIER', 'frame 1 is not the Courier event signature');
  }
  if (sig[3] !== PROTOCOL_VERSION) {
    return fail(
      'UNSUPPORTED_VERSION',
      `unsupported protocol version ${sig[3]}; this peer speaks version ${PROTOCOL_VERSION}`,
    );
  }
  if (topicFrame!.length === 0 || topicFrame!.length > MAX_TOPIC_BYTES) return invalid('topic');
  if (envFrame === undefined) return fail('MALFORMED_ENVELOPE', 'event message has no envelope frame');
  if (envFrame.length > limits.maxEnvelopeBytes) {
    return fail('TOO_LARGE', `envelope exceeds ${limits.maxEnvelopeBytes} bytes`);
  }
  let env: unknown;
  try {
    env = msgpack.unpack(envFrame);
  } catch {
    env = undefined;
  }
  // One event per message: the frame count must account for every frame left.
  if (!Array.isArray(env) || !isUint(env[0], 255) || env[1] !== frames.length - HEAD_FRAMES) {
    return fail(
      'MALFORMED_ENVELOPE',
      'frame 2 is not a valid event envelope (expected a MessagePack array [6, body_frame_count, ...] counting every frame that follows)',
    );
  }
  const [cmd, , seq, timestampMs, meta, contentType] = env;
  if (cmd !== Command.EVENT) {
    return fail(
      'UNKNOWN_COMMAND',
      `command ${cmd} in an event message; events carry command ${Command.EVENT}`,
    );
  }
  if (!isUint(seq, Number.MAX_SAFE_INTEGER) || seq === 0) return invalid('seq');
  if (!isUint(timestampMs, Number.MAX_SAFE_INTEGER)) return invalid('timestamp_ms');
  if (!isMetadata(meta)) return invalid('meta');
  if (!isOptionalString(contentType)) {
    return invalid('content_type');
  }
  const body = frames.slice(HEAD_FRAMES) as Buffer[];
  if (bodyBytes(body) > limits.maxBodyBytes)
    return fail('TOO_LARGE', `event body exceeds ${limits.maxBodyBytes} bytes`);
  return {
    event: {
      topic: topicFrame!.toString('utf8'),
      seq,
      timestampMs,
      meta: meta ?? undefined,
      contentType: contentType ?? undefined,
      body,
    },
  };
}

function fail(code: EventDecodeError['code'], message: string): DecodedEvent {
  return { error: { code, message } };
}

function invalid(field: string): DecodedEvent {
  return fail('INVALID_FIELD', `invalid event field "${field}"`);
}
