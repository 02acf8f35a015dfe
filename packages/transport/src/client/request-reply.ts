import { Status } from '../protocol/constants.js';
import type { Metadata } from '../protocol/envelope.js';
import type { SendLimitViolation } from '../send-limits.js';

export interface OutgoingRequest {
  /** `service.method` */
  method: string;
  /** The body frames; sent as they are (not copied), so leave them unchanged until the reply. */
  body: Buffer[];
  /** How long the caller waits, in ms; the server sees what remains when it arrives. */
  deadlineMs: number;
  meta?: Metadata;
  contentType?: string;
  /** Aborting it fails the call with CANCELLED and sends CANCEL to the server. */
  signal?: AbortSignal;
}

/** The outcome of a request: the server's reply, or one this client made up. */
export interface Reply {
  status: Status | number;
  message: string | undefined;
  details: unknown;
  meta: Metadata | undefined;
  contentType: string | undefined;
  body: Buffer[];
  /**
   * True when the outcome was decided here (deadline, cancel, unavailable
   * peer) rather than sent by the server.
   */
  local: boolean;
}

/** The local reply while no connection to `endpoint` could be secured. */
export function handshakeReply(endpoint: string, failure: string | undefined): Reply {
  return {
    ...localReply(Status.UNAVAILABLE, `${endpoint}: ${failure ?? 'handshake failed'}`),
    details: { code: 'ERR_COURIER_HANDSHAKE_FAILED' },
  };
}

/** The local reply for a request refused before sending, with its code in `details`. */
export function limitReply(violation: SendLimitViolation): Reply {
  return { ...localReply(violation.status, violation.message), details: { code: violation.code } };
}

/** A Reply decided by the caller's side (`local: true`): no server sent it. */
export function localReply(status: Status, message: string): Reply {
  return {
    status,
    message,
    details: undefined,
    meta: undefined,
    contentType: undefined,
    body: [],
    local: true,
  };
}
