import { readFileSync } from 'node:fs';
import type { ClientSecurityOptions } from './client-security.js';
import { keyBytes, publicKeyOf } from './curve25519.js';
import { SecurityError } from './errors.js';
import type { ServerSecurityOptions } from './server-security.js';

export interface KeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

/**
 * A key pair as `courier keygen` writes it: JSON (`{"publicKey", "secretKey"}`)
 * or a ZeroMQ certificate (zcert: `public-key = "..."` / `secret-key = "..."`
 * under `curve`). A file with only a public key (a zcert `.key` without
 * `_secret`) gives `secretKey: undefined`.
 */
export function parseKeyFile(text: string, source = 'key file'): { publicKey: string; secretKey?: string } {
  const trimmed = text.trim();
  let publicKey: unknown;
  let secretKey: unknown;
  if (trimmed.startsWith('{')) {
    try {
      ({ publicKey, secretKey } = JSON.parse(trimmed) as Record<string, unknown>);
    } catch (cause) {
      throw new SecurityError('ERR_COURIER_KEY_LOAD_FAILED', `${source} is not valid JSON`, { cause });
    }
  } else {
    publicKey = /^\s*public-key\s*=\s*"([^"]*)"/m.exec(trimmed)?.[1];
    secretKey = /^\s*secret-key\s*=\s*"([^"]*)"/m.exec(trimmed)?.[1];
  }
  if (typeof secretKey === 'string') {
    keyBytes(secretKey, `the secret key in ${source}`);
    const derived = publicKeyOf(secretKey);
    if (publicKey !== undefined && publicKey !== derived) {
      throw new SecurityError(
        'ERR_COURIER_INVALID_KEY',
        `the public key in ${source} does not match its secret key`,
      );
    }
    return { publicKey: derived, secretKey };
  }
  if (typeof publicKey !== 'string') {
    throw new SecurityError('ERR_COURIER_KEY_LOAD_FAILED', `${source} has no public-key or publicKey`);
  }
  keyBytes(publicKey, `the public key in ${source}`);
  return { publicKey };
}

export function readKeyFile(path: string): { publicKey: string; secretKey?: string } {
  return parseKeyFile(readText(path), path);
}

/** A key pair in the JSON format (mode 0600 is the writer's job). */
export function formatKeyPairJson(pair: KeyPair): string {
  return `${JSON.stringify({ publicKey: pair.publicKey, secretKey: pair.secretKey }, null, 2)}\n`;
}

/** A key pair, or only its public half, as a ZeroMQ certificate (zcert) file. */
export function formatZcert(pair: { publicKey: string; secretKey?: string }, now = new Date()): string {
  const lines = [
    `#   ****  Generated on ${now.toISOString()} by courier keygen  ****`,
    pair.secretKey === undefined
      ? '#   ZeroMQ CURVE Public Certificate'
      : '#   ZeroMQ CURVE **Secret** Certificate',
    '#   Exchange securely, or use a secure mechanism to verify the contents',
    '#   of this file after exchange.',
    '',
    'metadata',
    'curve',
    `    public-key = "${pair.publicKey}"`,
  ];
  if (pair.secretKey !== undefined) lines.push(`    secret-key = "${pair.secretKey}"`);
  return `${lines.join('\n')}\n`;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `NAME` from the environment, or the contents of the file `NAME_FILE`
 * names (how Kubernetes mounts secrets). Both set is an error.
 */
export function envOrFile(env: Env, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file !== undefined && file !== '') {
    throw new SecurityError('ERR_COURIER_KEY_LOAD_FAILED', `set ${name} or ${name}_FILE, not both`);
  }
  if (file !== undefined && file !== '') return readText(file).trim();
  return direct === '' ? undefined : direct?.trim();
}

/** A list of keys: separated by commas or whitespace, lines starting with `#` ignored; or a key file's public key. */
export function parseKeyList(text: string, source: string): string[] {
  if (/public-key\s*=|"publicKey"/.test(text)) return [parseKeyFile(text, source).publicKey];
  const keys = text
    .split('\n')
    // Whole-line comments only: '#' is a Z85 character, so it may sit inside a key.
    .filter((line) => !line.trimStart().startsWith('#'))
    .join(' ')
    .split(/[\s,]+/)
    .filter((k) => k.length > 0);
  for (const key of keys) keyBytes(key, `a key in ${source}`);
  return keys;
}

/** The secret key from COURIER_SECRET_KEY(_FILE), or the pair in COURIER_KEY_FILE. */
function ownSecretKey(env: Env): string | undefined {
  const secret = envOrFile(env, 'COURIER_SECRET_KEY');
  const keyFile = env.COURIER_KEY_FILE;
  if (secret !== undefined && keyFile !== undefined && keyFile !== '') {
    throw new SecurityError(
      'ERR_COURIER_KEY_LOAD_FAILED',
      'set COURIER_SECRET_KEY or COURIER_KEY_FILE, not both',
    );
  }
  if (secret !== undefined) {
    // A whole key file may sit in the variable (or its _FILE).
    return secret.length === 40 ? secret : parseKeyFile(secret, 'COURIER_SECRET_KEY').secretKey;
  }
  if (keyFile === undefined || keyFile === '') return undefined;
  const pair = readKeyFile(keyFile);
  if (pair.secretKey === undefined) {
    throw new SecurityError('ERR_COURIER_KEY_LOAD_FAILED', `${keyFile} holds no secret key`);
  }
  return pair.secretKey;
}

/**
 * Server security from COURIER_SECRET_KEY (or COURIER_KEY_FILE) and
 * COURIER_ALLOWED_KEYS, each also as `_FILE`; undefined when no secret key
 * is set. A secret key without allowed keys is an error: it would refuse
 * everyone, which is never what was meant.
 */
export function serverSecurityFromEnv(env: Env = process.env): ServerSecurityOptions | undefined {
  const secretKey = ownSecretKey(env);
  if (secretKey === undefined) return undefined;
  const allowed = envOrFile(env, 'COURIER_ALLOWED_KEYS');
  if (allowed === undefined) {
    throw new SecurityError(
      'ERR_COURIER_KEY_LOAD_FAILED',
      'COURIER_SECRET_KEY is set but COURIER_ALLOWED_KEYS is not: no client could connect',
    );
  }
  return { secretKey, allow: parseKeyList(allowed, 'COURIER_ALLOWED_KEYS') };
}

/** Client security from COURIER_SERVER_KEY and COURIER_SECRET_KEY (or COURIER_KEY_FILE); undefined without a server key. */
export function clientSecurityFromEnv(env: Env = process.env): ClientSecurityOptions | undefined {
  const serverKeyText = envOrFile(env, 'COURIER_SERVER_KEY');
  if (serverKeyText === undefined) return undefined;
  const serverKey =
    serverKeyText.length === 40 ? serverKeyText : parseKeyFile(serverKeyText, 'COURIER_SERVER_KEY').publicKey;
  const secretKey = ownSecretKey(env);
  if (secretKey === undefined) {
    throw new SecurityError(
      'ERR_COURIER_KEY_LOAD_FAILED',
      'COURIER_SERVER_KEY is set but COURIER_SECRET_KEY (or COURIER_KEY_FILE) is not',
    );
  }
  const publicKey = envOrFile(env, 'COURIER_PUBLIC_KEY');
  return publicKey === undefined ? { serverKey, secretKey } : { serverKey, secretKey, publicKey };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SecurityError(
      'ERR_COURIER_KEY_LOAD_FAILED',
      `cannot read ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}
