import type { Liveness } from '../heartbeat.js';
import type { CallerIdentity } from '../security/server-security.js';
import type { RequestPeer, ServerRequest } from './server-request.js';

/** A client the server has heard from, by routing id. */
export interface Peer extends RequestPeer {
  readonly key: string;
  readonly route: Buffer;
  readonly liveness: Liveness;
  readonly inflight: Map<number, ServerRequest<Peer>>;
  /** Who this peer authenticated as; undefined on a plaintext server. */
  readonly caller: CallerIdentity | undefined;
  /**
   * Something other than a heartbeat was sent to the peer since the last
   * tick. A flag, not a timestamp, so a reply costs no clock read.
   */
  sentSinceTick: boolean;
}
