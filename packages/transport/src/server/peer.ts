import type { Liveness } from '../heartbeat.js';
import type { CallerIdentity } from '../security/server-security.js';
import type { RequestPeer, ServerRequest } from './server-request.js';

/** A client the server has heard from, by routing id. */
export interface Peer extends RequestPeer {
  readonly key: string;
  readonly route: Buffer;
  readonly liveness: Liveness;
  readonly inflight: Map<number, ServerRequest<Peer>>;
  /** Body bytes of the requests in `inflight`, for maxPeerInflightBytes. */
  inflightBytes: number;
  /** Who this peer authenticated as; undefined on a plaintext server. */
  readonly caller: CallerIdentity | undefined;
  /**
   * Something other than a heartbeat was sent to the peer since the last
   * tick. A flag, not a timestamp, so a reply costs no clock read.
   */
  sentSinceTick: boolean;
}

/** Tracks a request that outlived onRequest, by id, with its body bytes. */
export function track(peer: Peer, req: ServerRequest<Peer>): void {
  peer.inflight.set(req.id, req);
  peer.inflightBytes += req.bodyBytes;
}

/** Stops tracking request `id`; returns it if it was tracked. */
export function untrack(peer: Peer, id: number): ServerRequest<Peer> | undefined {
  const req = peer.inflight.get(id);
  if (req !== undefined) {
    peer.inflight.delete(id);
    peer.inflightBytes -= req.bodyBytes;
  }
  return req;
}

/** Stops tracking every request of the peer. */
export function untrackAll(peer: Peer): void {
  peer.inflight.clear();
  peer.inflightBytes = 0;
}
