export * from './constants.js';
export type * from './envelope.js';
export {
  DEFAULT_DECODE_LIMITS,
  type DecodedMessage,
  type DecodeError,
  type DecodeErrorCode,
  type DecodeLimits,
  decodeMessage,
  encodeEnvelope,
  encodeMessage,
  encodePacket,
  FLAG_DRAINING,
} from './framing.js';
export * from './limits.js';
export { msgpack } from './msgpack.js';
