import { Status } from './constants.js';
import type { Packet } from './envelope.js';

/** Why (part of) a message could not be decoded. Stable codes, listed in docs/protocol.md. */
export type DecodeErrorCode =
  | 'NOT_COURIER'
  | 'UNSUPPORTED_VERSION'
  | 'MALFORMED_ENVELOPE'
  | 'UNKNOWN_COMMAND'
  | 'INVALID_FIELD'
  | 'TOO_LARGE'
  | 'TOO_MANY_PACKETS';

export interface DecodeError {
  readonly code: DecodeErrorCode;
  /** The request id the error concerns, or 0 when it concerns the whole message. */
  readonly id: number;
  /** The reply status a server sends back for it. */
  readonly status: Status;
  readonly message: string;
  /**
   * False when the sender is not known to speak Courier at all (no signature),
   * so nothing is sent back.
   */
  readonly replyable: boolean;
  /**
   * The command of the packet the error concerns, when its envelope could be
   * read; undefined for errors about the whole message. Lets a client tell a
   * broken REPLY (which answers one of its requests) from other bad packets.
   */
  readonly command?: number;
}

export interface DecodedMessage {
  readonly packets: Packet[];
  readonly errors: DecodeError[];
}

export function fail(
  code: DecodeErrorCode,
  id: number,
  status: Status,
  message: string,
  replyable = true,
): DecodeError {
  return { code, id, status, message, replyable };
}

/** An error about one packet whose envelope was readable. */
export function failPacket(
  command: number,
  code: DecodeErrorCode,
  id: number,
  status: Status,
  message: string,
): DecodeError {
  return { code, id, status, message, replyable: true, command };
}

// A module function, not a closure per packet: toPacket runs once per packet
// on the hot path (and tsx's keepNames wraps every named closure in __name()).
export function invalid(id: number, cmd: unknown, field: string): DecodeError {
  return failPacket(
    cmd as number,
    'INVALID_FIELD',
    id,
    Status.BAD_REQUEST,
    `invalid envelope field "${field}" for command ${cmd}`,
  );
}
