import { Status } from './protocol/constants.js';
import {
  type DecodeLimits,
  isMetadata,
  isOptionalString,
  MAX_METHOD_LENGTH,
  MAX_STATUS,
} from './protocol/limits.js';

/**
 * Checks on what this side is about to send, against the limits the peer's
 * decoder enforces (docs/protocol.md, section 10). A packet the peer drops
 * leaves its request waiting for the deadline; caught here, the caller gets
 * an error at once instead. Every check is a comparison of lengths the sender
 * has at hand (metadata costs one pass over its entries, as encoding does),
 * so the per-request path stays cheap.
 */

/**
 * Stable codes of the errors a sender makes up for a packet it cannot send as
 * it is; they appear in the `details` of the resulting reply and as `reason`
 * on the dropped-messages diagnostics channel.
 */
export type SendLimitCode =
  /** A request breaks a field limit; the caller gets a local 400 BAD_REQUEST. */
  | 'INVALID_REQUEST'
  /** A request's body or envelope is too large; the caller gets a local 413 TOO_LARGE. */
  | 'REQUEST_TOO_LARGE'
  /** A reply breaks a field limit or cannot be encoded; the caller gets 500 INTERNAL. */
  | 'INVALID_REPLY'
  /** A reply's body is too large; the caller gets 413 TOO_LARGE. */
  | 'REPLY_TOO_LARGE'
  /**
   * A reply would take its peer's send queue past `maxPeerSendQueueBytes`
   * (the peer reads slower than it is answered); the caller gets 429
   * OVERLOADED, and the handler ran.
   */
  | 'SEND_QUEUE_FULL';

/** Why a packet cannot be sent as it is, and the error that replaces it. */
export interface SendLimitViolation {
  readonly code: SendLimitCode;
  readonly status: Status;
  readonly message: string;
}

/** The fields of an outgoing request that the limits apply to. */
export interface RequestFields {
  readonly method: string;
  readonly meta?: unknown;
  readonly contentType?: unknown;
}

/** The fields of an outgoing reply that the limits apply to (the message is truncated instead). */
export interface ReplyFields {
  readonly status: number;
  readonly message?: unknown;
  readonly meta?: unknown;
  readonly contentType?: unknown;
}

/**
 * The violation of a request's fields or body (of `bytes` bytes: the caller
 * needs that total too), or undefined when it may be sent.
 */
export function checkRequest(
  req: RequestFields,
  bytes: number,
  limits: DecodeLimits,
): SendLimitViolation | undefined {
  const { method } = req;
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH) {
    return invalidRequest(`method must be a string of 1..${MAX_METHOD_LENGTH} characters`);
  }
  if (req.meta !== undefined && !isMetadata(req.meta)) return invalidRequest(META_RULE);
  if (!isOptionalString(req.contentType)) return invalidRequest(CONTENT_TYPE_RULE);
  if (bytes > limits.maxBodyBytes) {
    return requestTooLarge(`request body of ${bytes} bytes exceeds the limit of ${limits.maxBodyBytes}`);
  }
  return undefined;
}

/** The violation of a request's envelope of `bytes` bytes, or undefined when it fits. */
export function checkRequestEnvelope(bytes: number, limits: DecodeLimits): SendLimitViolation | undefined {
  if (bytes <= limits.maxEnvelopeBytes) return undefined;
  return requestTooLarge(
    `request envelope of ${bytes} bytes exceeds the limit of ${limits.maxEnvelopeBytes}`,
  );
}

/**
 * The violation of a reply's fields or body (of `bytes` bytes, 0 without
 * one), or undefined when it may be sent.
 */
export function checkReply(
  reply: ReplyFields,
  bytes: number,
  limits: DecodeLimits,
): SendLimitViolation | undefined {
  const { status, message } = reply;
  if (!(Number.isInteger(status) && status >= 0 && status <= MAX_STATUS)) {
    return invalidReply(`status must be an integer 0..${MAX_STATUS}`);
  }
  // Length is not checked: a long message is truncated, not refused.
  if (message != null && typeof message !== 'string') return invalidReply('message must be a string');
  if (reply.meta !== undefined && !isMetadata(reply.meta)) return invalidReply(META_RULE);
  if (!isOptionalString(reply.contentType)) return invalidReply(CONTENT_TYPE_RULE);
  if (bytes > limits.maxBodyBytes) {
    return {
      code: 'REPLY_TOO_LARGE',
      status: Status.TOO_LARGE,
      message: `reply body of ${bytes} bytes exceeds the limit of ${limits.maxBodyBytes}`,
    };
  }
  return undefined;
}

/** The violation of a reply's envelope of `bytes` bytes, or undefined when it fits. */
export function checkReplyEnvelope(bytes: number, limits: DecodeLimits): SendLimitViolation | undefined {
  if (bytes <= limits.maxEnvelopeBytes) return undefined;
  return invalidReply(
    `envelope of ${bytes} bytes exceeds the limit of ${limits.maxEnvelopeBytes} (details too large?)`,
  );
}

/** A reply of `bytes` that does not fit beside the `queued` bytes its peer's send queue holds. */
export function sendQueueFull(bytes: number, queued: number, max: number): SendLimitViolation {
  return {
    code: 'SEND_QUEUE_FULL',
    status: Status.OVERLOADED,
    message: `reply of ${bytes} bytes does not fit the send queue (${queued} of ${max} bytes queued for this peer)`,
  };
}

/** A reply the encoder refused (details of a type MessagePack cannot carry). */
export function unencodableReply(cause: unknown): SendLimitViolation {
  return {
    code: 'INVALID_REPLY',
    status: Status.INTERNAL,
    message: `reply cannot be encoded: ${(cause as Error).message}`,
  };
}

const META_RULE =
  'meta must be a map of at most 64 string entries, keys and values of at most 1024 characters';
const CONTENT_TYPE_RULE = 'content type must be a string of at most 1024 characters';

function invalidRequest(rule: string): SendLimitViolation {
  return {
    code: 'INVALID_REQUEST',
    status: Status.BAD_REQUEST,
    message: `request exceeds protocol limits: ${rule}`,
  };
}

function requestTooLarge(message: string): SendLimitViolation {
  return { code: 'REQUEST_TOO_LARGE', status: Status.TOO_LARGE, message };
}

function invalidReply(rule: string): SendLimitViolation {
  return {
    code: 'INVALID_REPLY',
    status: Status.INTERNAL,
    message: `reply exceeds protocol limits: ${rule}`,
  };
}
