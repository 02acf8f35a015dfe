import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatKeyPairJson, formatZcert, generateKeyPair } from '@courier/transport';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';

export const keygenUsage = `courier keygen [--out <file>] [--format json|zcert] [--force]

Makes a CURVE key pair. Without --out, prints it (JSON) to stdout. With
--out, writes the pair to <file> (mode 0600; keep it secret) and only the
public key to <file>.pub (give that to the peers that must trust this key).
--format zcert writes ZeroMQ certificate files instead of JSON. Both formats
load with --key-file, COURIER_KEY_FILE and readKeyFile().`;

export async function keygen(argv: string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      format: { type: 'string', default: 'json' },
      force: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 0) throw new UsageError(keygenUsage);
  if (values.format !== 'json' && values.format !== 'zcert') {
    throw new UsageError(`--format must be json or zcert, got ${values.format}`);
  }
  const pair = generateKeyPair();
  const format = (p: { publicKey: string; secretKey?: string }) =>
    values.format === 'zcert'
      ? formatZcert(p)
      : p.secretKey === undefined
        ? `${JSON.stringify({ publicKey: p.publicKey }, null, 2)}\n`
        : formatKeyPairJson({ publicKey: p.publicKey, secretKey: p.secretKey });
  if (values.out === undefined) {
    io.out(format(pair).trimEnd());
    return 0;
  }
  const secretPath = values.out;
  const publicPath = `${values.out}.pub`;
  for (const path of [secretPath, publicPath]) {
    if (existsSync(path) && !values.force) throw new UsageError(`${path} exists (use --force to replace it)`);
  }
  // 0600 from the first byte: never briefly readable by others.
  writeFileSync(secretPath, format(pair), { mode: 0o600, flag: values.force ? 'w' : 'wx' });
  writeFileSync(publicPath, format({ publicKey: pair.publicKey }), { flag: values.force ? 'w' : 'wx' });
  io.out(`wrote ${secretPath} (secret, 0600) and ${publicPath}\npublic key: ${pair.publicKey}`);
  return 0;
}
