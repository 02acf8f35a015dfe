import type * as zmq from 'zeromq';

/** `details.code` of the local UNAVAILABLE that a failed CURVE handshake gives calls. */
export const HANDSHAKE_FAILED = 'ERR_COURIER_HANDSHAKE_FAILED';

/** Why a CURVE handshake failed, as the client's socket saw it. */
export type HandshakeFailure = 'auth' | 'protocol' | 'other';

const MESSAGES: Record<HandshakeFailure, string> = {
  auth: 'the server refused our key (not in its allow list)',
  protocol: 'the CURVE handshake failed (wrong server key, or the server is not using CURVE)',
  other: 'the connection closed during the CURVE handshake (wrong server key, or a refused client key)',
};

/**
 * Reports handshake failures on a connecting socket, so calls end at once
 * with the reason instead of waiting out their deadline: a server that
 * cannot decrypt our HELLO (wrong server key) drops the connection, and a
 * ZAP refusal arrives as an ERROR command; libzmq reports both as monitor
 * events (zeromq.js `handshake:error:*`). A later successful handshake
 * clears the failure.
 */
export class HandshakeWatch {
  #failure: string | undefined;

  constructor(sock: zmq.Socket, onFailure: (message: string) => void, onSuccess: () => void) {
    const events = sock.events;
    const fail = (kind: HandshakeFailure, detail: string | undefined) => {
      this.#failure = `${MESSAGES[kind]}${detail ? ` (${detail})` : ''}`;
      onFailure(this.#failure);
    };
    events.on('handshake:error:auth', (e) => fail('auth', errorText(e)));
    events.on('handshake:error:protocol', (e) => fail('protocol', errorText(e)));
    events.on('handshake:error:other', (e) => fail('other', errorText(e)));
    events.on('handshake', () => {
      this.#failure = undefined;
      onSuccess();
    });
  }

  /** The last failure, until a handshake succeeds. */
  get failure(): string | undefined {
    return this.#failure;
  }
}

function errorText(event: { error?: { message?: string; status?: number } }): string | undefined {
  const err = event.error;
  if (err === undefined) return undefined;
  return err.status !== undefined ? `ZAP status ${err.status}` : err.message;
}
