/**
 * Constants of the Courier wire protocol, version 1. `docs/protocol.md` is the
 * normative description; every number here is defined there.
 */

/** The protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;

/** Frame 0 of every request/reply message: ASCII "CRR" followed by the version byte. */
export const RPC_SIGNATURE: Buffer = Buffer.from([0x43, 0x52, 0x52, PROTOCOL_VERSION]);

/** The signature frame of every event message (after the topic frame): ASCII "CRE" + version. */
export const EVENT_SIGNATURE: Buffer = Buffer.from([0x43, 0x52, 0x45, PROTOCOL_VERSION]);

/** The one-byte command at position 0 of every envelope. */
export const Command = {
  REQUEST: 1,
  REPLY: 2,
  CANCEL: 3,
  HEARTBEAT: 4,
  DISCONNECT: 5,
  EVENT: 6,
} as const;
export type Command = (typeof Command)[keyof typeof Command];

/**
 * The closed set of reply statuses. Numbers follow HTTP where a close
 * equivalent exists, so they read naturally in logs and dashboards.
 */
export const Status = {
  OK: 200,
  BAD_REQUEST: 400,
  /** The caller is authenticated but not allowed to call this method (security). */
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  OVERLOADED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNSUPPORTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export type StatusName = keyof typeof Status;

const STATUS_NAMES = new Map<number, StatusName>(
  Object.entries(Status).map(([name, code]) => [code, name as StatusName]),
);

/** The name of a status code, or `undefined` for a code outside the closed set. */
export function statusName(code: number): StatusName | undefined {
  return STATUS_NAMES.get(code);
}

/** Body content types. A nil content type on the wire means MSGPACK. */
export const ContentType = {
  MSGPACK: 'application/msgpack',
  JSON: 'application/json',
  BINARY: 'application/octet-stream',
} as const;

/** Metadata keys with a meaning defined by the protocol. */
export const MetaKey = {
  /** W3C trace context, https://www.w3.org/TR/trace-context/ */
  TRACEPARENT: 'traceparent',
  TRACESTATE: 'tracestate',
  /** Name of the calling service (or tool), for logs and metrics. */
  CALLER: 'caller',
  /** How much the call matters when the server sheds load: `critical`, `default` or `sheddable`. */
  CRITICALITY: 'criticality',
} as const;

/** Request id 0 is reserved for errors about a whole message, not one request. */
export const MESSAGE_LEVEL_ID = 0;
/** Request ids are unsigned 32-bit integers; 0 is reserved. */
export const MAX_REQUEST_ID = 0xffff_ffff;

/** HEARTBEAT flag bit 0. */
export const FLAG_DRAINING = 1;
