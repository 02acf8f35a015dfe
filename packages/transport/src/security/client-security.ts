import type * as zmq from 'zeromq';
import { callerRoutingId } from './caller-id.js';
import { keyBytes, publicKeyOf } from './curve25519.js';
import { SecurityError } from './errors.js';

/** The `security` option of a client or subscriber: the server to trust and our own key pair. */
export interface ClientSecurityOptions {
  /** The server's public key (Z85): a server without its secret key fails the handshake. */
  readonly serverKey: string;
  /** This client's public key (Z85); derived from `secretKey` when omitted. */
  readonly publicKey?: string;
  /** This client's secret key (Z85). */
  readonly secretKey: string;
}

/** The zeromq.js socket options for a CURVE client, checked. */
export function clientCurveOptions(security: ClientSecurityOptions): {
  curveServerKey: string;
  curvePublicKey: string;
  curveSecretKey: string;
} {
  keyBytes(security.serverKey, 'security.serverKey');
  keyBytes(security.secretKey, 'security.secretKey');
  const derived = publicKeyOf(security.secretKey);
  if (security.publicKey !== undefined && security.publicKey !== derived) {
    keyBytes(security.publicKey, 'security.publicKey');
    throw new SecurityError(
      'ERR_COURIER_INVALID_KEY',
      'security.publicKey does not match security.secretKey',
    );
  }
  return { curveServerKey: security.serverKey, curvePublicKey: derived, curveSecretKey: security.secretKey };
}

/** Sets CURVE, and the routing id that proves our key to a Courier server, on an unconnected socket. */
export function applyClientSecurity(
  sock: zmq.Socket,
  security: ClientSecurityOptions,
  withCallerId: boolean,
): void {
  const opts = clientCurveOptions(security);
  const s = sock as zmq.Socket & Record<string, unknown>;
  s.curveServerKey = opts.curveServerKey;
  s.curvePublicKey = opts.curvePublicKey;
  s.curveSecretKey = opts.curveSecretKey;
  if (withCallerId)
    s.routingId = callerRoutingId(opts.curvePublicKey, opts.curveSecretKey, opts.curveServerKey);
}
