import type * as zmq from 'zeromq';

/**
 * How many loop turns a lost connection waits for the receive loop to read
 * what the peer sent before it dropped (its last replies, its DISCONNECT).
 * Each turn reads at least one message, so this bounds only a peer that
 * keeps a flood queued; past it the loss is declared anyway.
 */
const MAX_DRAIN_TURNS = 256;

/**
 * Turns zeromq.js's socket events into "the connection to the peer is
 * gone": libzmq reports a TCP reset or an IPC peer closing at once
 * (ZMQ_EVENT_DISCONNECTED), so a killed server is noticed in a
 * round trip of the kernel rather than after the heartbeat window.
 *
 * `onLost` runs only once everything already received has been read, so a
 * server that answered and then closed is not reported as having lost
 * those answers. It is not called after `stop()`.
 */
export class ConnectionWatch {
  readonly #sock: zmq.Socket;
  readonly #onLost: (address: string) => void;
  #stopped = false;

  constructor(sock: zmq.Socket, onLost: (address: string) => void) {
    this.#sock = sock;
    this.#onLost = onLost;
    sock.events.on('disconnect', this.#onDisconnect);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sock.events.off('disconnect', this.#onDisconnect);
  }

  readonly #onDisconnect = (event: { address: string }): void => {
    this.#afterDrain(event.address, 0);
  };

  #afterDrain(address: string, turns: number): void {
    if (this.#stopped || this.#sock.closed) return;
    // `readable` is libzmq's ZMQ_POLLIN: a message is still queued for the receive loop.
    if (turns < MAX_DRAIN_TURNS && this.#sock.readable) {
      setImmediate(() => this.#afterDrain(address, turns + 1));
      return;
    }
    this.#onLost(address);
  }
}
