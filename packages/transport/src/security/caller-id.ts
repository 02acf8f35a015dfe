import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { keyBytes, privateKeyObject, sharedSecret } from './curve25519.js';
import { z85Decode, z85Encode } from './z85.js';

/**
 * How the server learns which client key sent a request.
 *
 * libzmq hands the key the CURVE handshake authenticated to the ZAP handler,
 * and attaches the ZAP user id to every message as a property, but zeromq.js
 * exposes neither message properties nor any link from a ZAP request to the
 * connection (its routing id) that made it. So the client states its key in
 * its routing id, which travels inside the encrypted, authenticated CURVE
 * INITIATE, and proves it holds the matching secret key:
 *
 *   routing id = "C1" + Z85(client public key) + Z85(8-byte nonce) + Z85(tag)
 *   tag        = HMAC-SHA256(X25519(client secret, server public), LABEL + nonce)[0..16]
 *
 * Only the holder of the client's secret key (or the server's) can compute
 * the tag, and nobody else ever sees it (it is encrypted on the wire), so
 * one allowed client cannot borrow another's identity. The nonce is random
 * per socket, so several processes sharing one key get distinct routing ids
 * (libzmq refuses a second connection with a routing id already in use).
 * A routing id without a valid proof gets no service at all.
 */
const PREFIX = 'C1';
const LABEL = Buffer.from('courier-caller-v1:');
const NONCE_BYTES = 8;
const TAG_BYTES = 16;
const KEY_CHARS = 40;
const NONCE_CHARS = (NONCE_BYTES / 4) * 5;
export const CALLER_ID_LENGTH = PREFIX.length + KEY_CHARS + NONCE_CHARS + (TAG_BYTES / 4) * 5;

function tag(shared: Buffer, nonce: Buffer): Buffer {
  return createHmac('sha256', shared).update(LABEL).update(nonce).digest().subarray(0, TAG_BYTES);
}

/** The routing id a secure client connects with. */
export function callerRoutingId(publicKey: string, secretKey: string, serverKey: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const shared = sharedSecret(privateKeyObject(secretKey), keyBytes(serverKey, 'serverKey'));
  return PREFIX + publicKey + z85Encode(nonce) + z85Encode(tag(shared, nonce));
}

/** Checks a routing id's proof against the server's secret key; returns the client's Z85 key. */
export class CallerVerifier {
  readonly #secret: ReturnType<typeof privateKeyObject>;
  /** X25519 per client key, so a reconnect costs an HMAC, not a key agreement. Bounded. */
  readonly #shared = new Map<string, Buffer>();
  readonly #maxCached: number;

  constructor(secretKey: string, maxCached = 4096) {
    this.#secret = privateKeyObject(secretKey);
    this.#maxCached = maxCached;
  }

  /** The client's Z85 public key, or undefined if the routing id carries no valid proof. */
  verify(route: Buffer): string | undefined {
    if (route.length !== CALLER_ID_LENGTH) return undefined;
    const text = route.toString('latin1');
    if (!text.startsWith(PREFIX)) return undefined;
    const key = text.slice(PREFIX.length, PREFIX.length + KEY_CHARS);
    const keyRaw = z85Decode(key);
    const nonce = z85Decode(text.slice(PREFIX.length + KEY_CHARS, PREFIX.length + KEY_CHARS + NONCE_CHARS));
    const claimed = z85Decode(text.slice(PREFIX.length + KEY_CHARS + NONCE_CHARS));
    if (keyRaw === undefined || nonce === undefined || claimed === undefined) return undefined;
    let shared = this.#shared.get(key);
    if (shared === undefined) {
      try {
        shared = sharedSecret(this.#secret, keyRaw);
      } catch {
        // A point X25519 rejects (e.g. of small order): not a key anyone holds.
        return undefined;
      }
      if (this.#shared.size >= this.#maxCached) this.#shared.delete(this.#shared.keys().next().value!);
      this.#shared.set(key, shared);
    }
    return timingSafeEqual(tag(shared, nonce), claimed) ? key : undefined;
  }
}
