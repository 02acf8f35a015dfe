export { type AllowedKey, type AllowFunction, type AllowOption, KeyAllowlist } from './allowlist.js';
export { applyClientSecurity, type ClientSecurityOptions } from './client-security.js';
export { isKey, publicKeyOf } from './curve25519.js';
export { SecurityError, type SecurityErrorCode } from './errors.js';
export { HANDSHAKE_FAILED, HandshakeWatch } from './handshake-watch.js';
export {
  clientSecurityFromEnv,
  envOrFile,
  formatKeyPairJson,
  formatZcert,
  type KeyPair,
  parseKeyFile,
  parseKeyList,
  readKeyFile,
  serverSecurityFromEnv,
} from './keys.js';
export { type CallerIdentity, ServerSecurity, type ServerSecurityOptions } from './server-security.js';
export { z85Decode, z85Encode } from './z85.js';
export { ZAP_ENDPOINT, zapRefusedCount } from './zap-handler.js';

import * as zmq from 'zeromq';
import type { KeyPair } from './keys.js';

/** A new CURVE key pair, Z85 (zeromq.js' curveKeyPair, typed). */
export function generateKeyPair(): KeyPair {
  return zmq.curveKeyPair();
}
