import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { CallerVerifier, callerRoutingId } from './caller-id.js';
import { publicKeyOf } from './curve25519.js';
import { SecurityError } from './errors.js';
import {
  clientSecurityFromEnv,
  formatKeyPairJson,
  formatZcert,
  parseKeyFile,
  parseKeyList,
  serverSecurityFromEnv,
} from './keys.js';
import { z85Decode, z85Encode } from './z85.js';

describe('Z85', () => {
  it('matches the RFC 32 test vector', () => {
    const bytes = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe('HelloWorld');
    expect(z85Decode('HelloWorld')).toEqual(bytes);
  });

  it('round-trips any multiple of 4 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const bytes = raw.subarray(0, raw.length - (raw.length % 4));
        expect(z85Decode(z85Encode(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('refuses text that is not Z85', () => {
    expect(z85Decode('abcd')).toBeUndefined(); // not a multiple of 5
    expect(z85Decode('abc"e')).toBeUndefined(); // outside the alphabet
    expect(z85Decode('#####')).toBeUndefined(); // above 2^32 - 1
    expect(() => z85Encode(Buffer.alloc(3))).toThrow(RangeError);
  });

  it('agrees with libzmq: curveKeyPair() keys decode to 32 bytes, and the public key derives from the secret', () => {
    for (let i = 0; i < 20; i++) {
      const pair = zmq.curveKeyPair();
      expect(z85Decode(pair.publicKey)).toHaveLength(32);
      expect(z85Encode(z85Decode(pair.secretKey)!)).toBe(pair.secretKey);
      expect(publicKeyOf(pair.secretKey)).toBe(pair.publicKey);
    }
  });
});

describe('caller routing ids', () => {
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();

  it('prove the client key to the server that holds the matching secret key', () => {
    const id = callerRoutingId(client.publicKey, client.secretKey, server.publicKey);
    expect(new CallerVerifier(server.secretKey).verify(Buffer.from(id, 'latin1'))).toBe(client.publicKey);
    // Each socket gets its own nonce, so two processes sharing a key do not collide.
    expect(callerRoutingId(client.publicKey, client.secretKey, server.publicKey)).not.toBe(id);
  });

  it('refuse a claimed key without its secret key, and garbage', () => {
    const other = zmq.curveKeyPair();
    const forged = callerRoutingId(client.publicKey, other.secretKey, server.publicKey);
    const verifier = new CallerVerifier(server.secretKey);
    expect(verifier.verify(Buffer.from(forged, 'latin1'))).toBeUndefined();
    expect(verifier.verify(Buffer.from([0, 1, 2, 3, 4]))).toBeUndefined();
    expect(verifier.verify(Buffer.alloc(72, 0x41))).toBeUndefined();
    // A real proof for another server does not work here.
    const elsewhere = callerRoutingId(client.publicKey, client.secretKey, zmq.curveKeyPair().publicKey);
    expect(verifier.verify(Buffer.from(elsewhere, 'latin1'))).toBeUndefined();
  });
});

describe('key files and environment', () => {
  const pair = zmq.curveKeyPair();
  const dir = mkdtempSync(join(tmpdir(), 'courier-keys-'));

  it('reads back what it writes, as JSON and as zcert', () => {
    expect(parseKeyFile(formatKeyPairJson(pair))).toEqual(pair);
    expect(parseKeyFile(formatZcert(pair))).toEqual(pair);
    expect(parseKeyFile(formatZcert({ publicKey: pair.publicKey }))).toEqual({ publicKey: pair.publicKey });
  });

  it('refuses a mismatched pair and bad keys with stable codes', () => {
    const other = zmq.curveKeyPair();
    const mismatched = JSON.stringify({ publicKey: other.publicKey, secretKey: pair.secretKey });
    expect(() => parseKeyFile(mismatched)).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_INVALID_KEY' }),
    );
    expect(() => parseKeyList('not-a-key', 'test')).toThrow(SecurityError);
    expect(() => parseKeyFile('{oops')).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_KEY_LOAD_FAILED' }),
    );
  });

  it('keeps a # inside a key (a Z85 character), and ignores # comment lines', () => {
    let pair = zmq.curveKeyPair();
    while (!pair.publicKey.includes('#')) pair = zmq.curveKeyPair();
    expect(parseKeyList(`# ops team\n${pair.publicKey}, ${pair.publicKey}\n`, 'test')).toEqual([
      pair.publicKey,
      pair.publicKey,
    ]);
  });

  it('takes keys from variables and from _FILE variables (Kubernetes secrets)', () => {
    const client = zmq.curveKeyPair();
    const secretFile = join(dir, 'secret');
    const allowFile = join(dir, 'allowed');
    writeFileSync(secretFile, `${pair.secretKey}\n`);
    writeFileSync(allowFile, `# ops team\n${client.publicKey}\n`);
    expect(
      serverSecurityFromEnv({ COURIER_SECRET_KEY_FILE: secretFile, COURIER_ALLOWED_KEYS_FILE: allowFile }),
    ).toEqual({ secretKey: pair.secretKey, allow: [client.publicKey] });
    expect(serverSecurityFromEnv({})).toBeUndefined();
    expect(() => serverSecurityFromEnv({ COURIER_SECRET_KEY: pair.secretKey })).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_KEY_LOAD_FAILED' }),
    );
    const keyFile = join(dir, 'client.json');
    writeFileSync(keyFile, formatKeyPairJson(client));
    expect(clientSecurityFromEnv({ COURIER_SERVER_KEY: pair.publicKey, COURIER_KEY_FILE: keyFile })).toEqual({
      serverKey: pair.publicKey,
      secretKey: client.secretKey,
    });
    expect(() =>
      clientSecurityFromEnv({
        COURIER_SERVER_KEY: pair.publicKey,
        COURIER_SECRET_KEY: 'x',
        COURIER_SECRET_KEY_FILE: secretFile,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_COURIER_KEY_LOAD_FAILED' }));
  });
});
