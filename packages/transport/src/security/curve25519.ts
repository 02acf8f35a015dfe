import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { SecurityError } from './errors.js';
import { z85Decode, z85Encode } from './z85.js';

/** The length of a CURVE key in Z85 text: 32 bytes. */
export const Z85_KEY_LENGTH = 40;

// DER prefixes of X25519 keys (RFC 8410): Node's crypto takes raw keys only wrapped like this.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** The 32 bytes of a Z85 key, or ERR_COURIER_INVALID_KEY naming `what`. */
export function keyBytes(key: string, what: string): Buffer {
  const bytes = typeof key === 'string' && key.length === Z85_KEY_LENGTH ? z85Decode(key) : undefined;
  if (bytes === undefined) {
    throw new SecurityError(
      'ERR_COURIER_INVALID_KEY',
      `${what} must be a ${Z85_KEY_LENGTH}-character Z85 CURVE key (see \`courier keygen\`)`,
    );
  }
  return bytes;
}

export function isKey(key: unknown): key is string {
  return typeof key === 'string' && key.length === Z85_KEY_LENGTH && z85Decode(key) !== undefined;
}

export function privateKeyObject(secretKey: string, what = 'secretKey'): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, keyBytes(secretKey, what)]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyObject(publicKey: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** The Z85 public key of a Z85 secret key (what libzmq's curve server derives too). */
export function publicKeyOf(secretKey: string): string {
  const spki = createPublicKey(privateKeyObject(secretKey)).export({ format: 'der', type: 'spki' });
  return z85Encode(spki.subarray(spki.length - 32));
}

/** X25519(secret, public): the same 32 bytes on both sides of a CURVE pair. */
export function sharedSecret(secret: KeyObject, publicKey: Buffer): Buffer {
  return diffieHellman({ privateKey: secret, publicKey: publicKeyObject(publicKey) });
}
