export { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
export {
  type ClientEvents,
  type ClientOptions,
  localReply,
  type OutgoingRequest,
  type PeerState,
  type Reply,
  TransportClient,
} from './client.js';
export * from './diagnostics.js';
export { TransportError, type TransportErrorCode } from './errors.js';
export {
  DEFAULT_MSGPACK_LIMITS,
  decode as msgpackDecode,
  type EncodeOptions as MsgpackEncodeOptions,
  encode as msgpackEncode,
  MsgpackError,
  type MsgpackErrorCode,
  type MsgpackLimits,
} from './msgpack/index.js';
export type { ResolvedSocketOptions, SocketOptions } from './options.js';
export * from './protocol/events.js';
export * from './protocol/index.js';
export * from './pubsub/index.js';
export { AbortReason, type IncomingRequest, type OutgoingReply } from './request.js';
export * from './security/index.js';
export type { SendLimitCode } from './send-limits.js';
export { type ServerOptions, TransportServer } from './server.js';
export { yieldToLoop } from './yield.js';
