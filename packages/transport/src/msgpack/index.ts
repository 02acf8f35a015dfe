export { decode, decodeAt, MsgpackDecoder } from './decoder.js';
export { type EncodeOptions, encode } from './encoder.js';
export { MsgpackError, type MsgpackErrorCode } from './errors.js';
export { DEFAULT_MSGPACK_LIMITS, type MsgpackLimits } from './limits.js';
