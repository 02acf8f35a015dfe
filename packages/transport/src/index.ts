/**
 * `@courier/transport`'s public API, exactly what its README documents; a change here shows
 * in api/transport.api.md (`npm run api`). What @courier/core needs beyond it comes from
 * `@courier/transport/internal` (src/internal.ts).
 */
export {
  type ClientEvents,
  type ClientOptions,
  localReply,
  type OutgoingRequest,
  type PeerState,
  type Reply,
  TransportClient,
} from './client.js';
export {
  type BytesTransferred,
  type DroppedMessage,
  type HeartbeatMissed,
  type PeerStateChange,
  TransportChannels,
  type TransportSide,
} from './diagnostics.js';
export { TransportError, type TransportErrorCode } from './errors.js';
export {
  DEFAULT_MSGPACK_LIMITS,
  decode as msgpackDecode,
  type EncodeOptions as MsgpackEncodeOptions,
  encode as msgpackEncode,
  MsgpackDecoder,
  MsgpackError,
  type MsgpackErrorCode,
  type MsgpackLimits,
} from './msgpack/index.js';
export type { ResolvedSocketOptions, SocketOptions } from './options.js';
export {
  Command,
  ContentType,
  EVENT_SIGNATURE,
  MetaKey,
  PROTOCOL_VERSION,
  RPC_SIGNATURE,
  Status,
  type StatusName,
  statusName,
} from './protocol/constants.js';
export { decodeMessage } from './protocol/decode.js';
export type { DecodedMessage, DecodeError, DecodeErrorCode } from './protocol/decode-error.js';
export { encodeEnvelope, encodeMessage, encodePacket } from './protocol/encode.js';
export type {
  CancelPacket,
  DisconnectPacket,
  EventPacket,
  HeartbeatPacket,
  Metadata,
  Packet,
  ReplyPacket,
  RequestPacket,
} from './protocol/envelope.js';
export {
  type DecodedEvent,
  decodeEvent,
  type EventDecodeError,
  encodeEvent,
  MAX_TOPIC_BYTES,
} from './protocol/events.js';
export {
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  MAX_DEADLINE_MS,
  MAX_META_ENTRIES,
  MAX_METHOD_LENGTH,
  MAX_STATUS,
  MAX_STRING_LENGTH,
} from './protocol/limits.js';
export { msgpack } from './protocol/msgpack.js';
export {
  EventPublisher,
  type EventPublisherOptions,
  type EventPublishOptions,
} from './pubsub/publisher.js';
export type { EventGap } from './pubsub/seq-tracker.js';
export { EventSubscriber, type EventSubscriberOptions, type ReceivedEvent } from './pubsub/subscriber.js';
export { AbortReason, type IncomingRequest, type OutgoingReply } from './request.js';
export {
  type AllowedKey,
  type AllowFunction,
  type AllowOption,
  type CallerIdentity,
  type ClientSecurityOptions,
  clientSecurityFromEnv,
  generateKeyPair,
  KeyAllowlist,
  type KeyPair,
  readKeyFile,
  SecurityError,
  type SecurityErrorCode,
  type ServerSecurityOptions,
  serverSecurityFromEnv,
} from './security/index.js';
export type { SendLimitCode } from './send-limits.js';
export type { ServerLimitOptions } from './server/server-limits.js';
export { type ServerOptions, TransportServer } from './server.js';
