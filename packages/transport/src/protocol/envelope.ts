import type { Command, Status } from './constants.js';

/** String-to-string request metadata (trace context, caller identity, ...). */
export type Metadata = Record<string, string>;

/**
 * One decoded protocol unit: an envelope plus the body frames that follow it.
 * Several packets may travel in one ZeroMQ message (batching).
 */
export type Packet = RequestPacket | ReplyPacket | CancelPacket | HeartbeatPacket | DisconnectPacket;

export interface RequestPacket {
  readonly cmd: typeof Command.REQUEST;
  readonly id: number;
  /** `service.method` */
  readonly method: string;
  /** Milliseconds the caller is still willing to wait; 0 = no deadline given. */
  readonly deadlineMs: number;
  readonly meta: Metadata | undefined;
  /** `undefined` means application/msgpack. */
  readonly contentType: string | undefined;
  readonly body: Buffer[];
}

export interface ReplyPacket {
  readonly cmd: typeof Command.REPLY;
  readonly id: number;
  readonly status: Status | number;
  readonly message: string | undefined;
  readonly details: unknown;
  readonly meta: Metadata | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer[];
}

export interface CancelPacket {
  readonly cmd: typeof Command.CANCEL;
  readonly id: number;
}

export interface HeartbeatPacket {
  readonly cmd: typeof Command.HEARTBEAT;
  /** The sender's heartbeat interval in milliseconds. */
  readonly intervalMs: number;
  /** The sender's liveness: missed intervals before it declares its peer dead. */
  readonly liveness: number;
  /** Flag bit 0: the sender is draining and takes no new requests. */
  readonly draining: boolean;
}

export interface DisconnectPacket {
  readonly cmd: typeof Command.DISCONNECT;
  readonly reason: string | undefined;
}

/** An event published on a PUB socket (see docs/protocol.md, "Events"). */
export interface EventPacket {
  readonly topic: string;
  readonly seq: number;
  readonly timestampMs: number;
  readonly meta: Metadata | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer[];
}
