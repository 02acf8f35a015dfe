import type { Metadata, RequestPacket } from '../protocol/envelope.js';
import { bodyBytes } from '../protocol/limits.js';
import type { AbortReason, IncomingRequest, OutgoingReply } from '../request.js';
import type { CallerIdentity } from '../security/server-security.js';

/** What a request needs of its peer. */
export interface RequestPeer {
  readonly route: Buffer;
  /** Who the peer authenticated as; undefined on a plaintext server. */
  readonly caller: CallerIdentity | undefined;
}

/** Where a request's reply goes: the TransportServer that received it. */
export interface ReplySink<P extends RequestPeer> {
  sendReply(peer: P, req: ServerRequest<P>, reply: OutgoingReply): boolean;
}

/** A request as the server sees it; implements IncomingRequest. */
export class ServerRequest<P extends RequestPeer = RequestPeer> implements IncomingRequest {
  readonly id: number;
  readonly method: string;
  readonly deadlineMs: number;
  readonly meta: Metadata | undefined;
  readonly contentType: string | undefined;
  body: Buffer[];
  /** The body's size as received, kept after takeBody(): what the peer's byte budget counts. */
  readonly bodyBytes: number;
  readonly receivedAt: number;
  readonly #server: ReplySink<P>;
  readonly #peer: P;
  #controller: AbortController | undefined;
  #abortReason: AbortReason | undefined;
  #replied = false;

  constructor(server: ReplySink<P>, peer: P, packet: RequestPacket, now: number) {
    this.#server = server;
    this.#peer = peer;
    this.id = packet.id;
    this.method = packet.method;
    this.deadlineMs = packet.deadlineMs;
    this.meta = packet.meta;
    this.contentType = packet.contentType;
    this.body = packet.body;
    this.bodyBytes = bodyBytes(packet.body);
    this.receivedAt = now;
  }

  get peer(): string {
    return this.#peer.route.toString('hex');
  }

  get caller(): CallerIdentity | undefined {
    return this.#peer.caller;
  }

  get replied(): boolean {
    return this.#replied;
  }

  get abortReason(): AbortReason | undefined {
    return this.#abortReason;
  }

  /** @internal Replied to or aborted: nothing more will be sent for it. */
  get settled(): boolean {
    return this.#replied || this.#abortReason !== undefined;
  }

  // Created on first use: most handlers never look at it.
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(abortError(this.#abortReason));
    }
    return this.#controller.signal;
  }

  takeBody(): Buffer[] {
    const body = this.body;
    this.body = [];
    return body;
  }

  reply(reply: OutgoingReply): boolean {
    if (this.#replied || this.#abortReason !== undefined) return false;
    this.#replied = true;
    try {
      return this.#server.sendReply(this.#peer, this, reply);
    } catch (err) {
      // Nothing was sent: the caller still waits, so a fallback reply
      // (Dispatcher's plain INTERNAL) must still be able to go out.
      this.#replied = false;
      throw err;
    }
  }

  /** @internal */
  abort(reason: AbortReason): void {
    if (this.#abortReason !== undefined || this.#replied) return;
    this.#abortReason = reason;
    this.#controller?.abort(abortError(reason));
  }
}

function abortError(reason: AbortReason): Error {
  const err = new Error(`request aborted: ${reason}`);
  err.name = 'AbortError';
  (err as Error & { reason: AbortReason }).reason = reason;
  return err;
}
