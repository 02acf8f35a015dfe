import type { Status } from './protocol/constants.js';
import type { Metadata } from './protocol/envelope.js';
import type { CallerIdentity } from './security/server-security.js';

/** Why a request's signal aborted. */
export const AbortReason = {
  /** The caller sent CANCEL (it gave up, or its deadline passed). */
  CANCELLED: 'cancelled',
  /** The caller went silent past its liveness window, or disconnected. */
  PEER_LOST: 'peer-lost',
  /** The server is closing. */
  CLOSED: 'closed',
} as const;
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

/** A request delivered to the server's `onRequest`. */
export interface IncomingRequest {
  readonly id: number;
  /** `service.method` as sent by the caller. */
  readonly method: string;
  /** The caller's remaining deadline when the request arrived, in ms; 0 = none given. */
  readonly deadlineMs: number;
  readonly meta: Metadata | undefined;
  /** `undefined` means application/msgpack. */
  readonly contentType: string | undefined;
  /** The body frames; empty once `takeBody()` was called. */
  readonly body: Buffer[];
  /** performance.now() at arrival; the deadline counts from here. */
  readonly receivedAt: number;
  /** The caller's routing id, in hex. */
  readonly peer: string;
  /** Who the caller authenticated as, on a server with `security`; undefined in plaintext. */
  readonly caller?: CallerIdentity | undefined;
  /** Aborts when the caller cancels, the caller is lost, or the server closes. */
  readonly signal: AbortSignal;
  readonly abortReason: AbortReason | undefined;
  readonly replied: boolean;
  /**
   * Sends the one reply. Returns false, and sends nothing, if a reply was
   * already sent or the request was aborted (its caller is no longer waiting).
   */
  reply(reply: OutgoingReply): boolean;
  /**
   * Returns `body` and forgets it (`body` is empty afterwards), so a handler
   * that awaits I/O does not keep the received frames alive until it
   * replies: each frame is its own ArrayBuffer, and one that survives a
   * scavenge is promoted and freed only by a full GC.
   */
  takeBody(): Buffer[];
}

export interface OutgoingReply {
  status: Status | number;
  message?: string;
  details?: unknown;
  meta?: Metadata;
  contentType?: string;
  body?: Buffer[];
}
