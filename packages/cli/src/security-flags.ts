import { existsSync } from 'node:fs';
import {
  type ClientSecurityOptions,
  clientSecurityFromEnv,
  isKey,
  parseKeyFile,
  readKeyFile,
  SecurityError,
} from '@courier/transport';
import { UsageError } from './errors.js';

/** The key flags every command that connects takes (parseArgs option specs). */
export const SECURITY_OPTIONS = {
  'server-key': { type: 'string' },
  'key-file': { type: 'string' },
} as const;

export const securityUsage = `Security (CURVE; see docs/security.md):
  --server-key <key|file>  the server's public key (Z85), or a key file holding it
  --key-file <file>        this client's key pair (from \`courier keygen\`)
  Or set COURIER_SERVER_KEY and COURIER_SECRET_KEY / COURIER_KEY_FILE (each
  also as _FILE). Secret keys are never taken as flags: argv is visible to
  every user of the machine.`;

/**
 * Client security from the flags, else from the environment; undefined when
 * neither names a server key (plaintext).
 */
export function securityFrom(
  values: { 'server-key'?: string; 'key-file'?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClientSecurityOptions | undefined {
  const serverFlag = values['server-key'];
  const keyFile = values['key-file'];
  try {
    if (serverFlag === undefined && keyFile === undefined) return clientSecurityFromEnv(env);
    const serverKey =
      serverFlag === undefined
        ? undefined
        : isKey(serverFlag)
          ? serverFlag
          : existsSync(serverFlag)
            ? readKeyFile(serverFlag).publicKey
            : parseKeyFile(serverFlag, '--server-key').publicKey;
    const merged: Record<string, string | undefined> = { ...env };
    if (serverKey !== undefined) {
      merged.COURIER_SERVER_KEY = serverKey;
      merged.COURIER_SERVER_KEY_FILE = undefined;
    }
    if (keyFile !== undefined) {
      merged.COURIER_KEY_FILE = keyFile;
      merged.COURIER_SECRET_KEY = undefined;
      merged.COURIER_SECRET_KEY_FILE = undefined;
    }
    const security = clientSecurityFromEnv(merged);
    if (security === undefined) throw new UsageError('--key-file needs --server-key (or COURIER_SERVER_KEY)');
    return security;
  } catch (err) {
    if (err instanceof SecurityError) throw new UsageError(err.message);
    throw err;
  }
}
