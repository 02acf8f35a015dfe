/**
 * `@courier/transport/internal`: what @courier/core and the CLI build on that is not part of the
 * transport's public API (packages/transport/README.md lists that). No semver promise:
 * this entry point changes with core, in the same release.
 */
export {
  DeadlineHeap,
  type DeadlineHeapOptions,
  MAX_TIMER_MS,
  type Scheduled,
} from './scheduler/deadline-heap.js';
export {
  applyClientSecurity,
  envOrFile,
  formatKeyPairJson,
  formatZcert,
  HANDSHAKE_FAILED,
  HandshakeWatch,
  isKey,
  parseKeyFile,
  parseKeyList,
  publicKeyOf,
  ServerSecurity,
  ZAP_ENDPOINT,
  z85Decode,
  z85Encode,
  zapRefusedCount,
} from './security/index.js';
