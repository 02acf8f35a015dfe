import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineService, method, readKeyFile, type Server, serve } from '@courier/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CliIO } from './io.js';
import { main } from './main.js';

const echo = defineService({
  name: 'echo',
  version: 1,
  methods: { say: method({ input: z.string(), handler: (s, ctx) => `${ctx.identity?.userId}: ${s}` }) },
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), status: () => {}, isTTY: false };
  return { io, out, err };
}

describe('courier keygen and key flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'courier-cli-keys-'));
  const serverFile = join(dir, 'server.json');
  const clientFile = join(dir, 'client.key');
  let server: Server<typeof echo>;

  beforeAll(async () => {
    expect(await main(['keygen', '--out', serverFile], capture().io)).toBe(0);
    expect(await main(['keygen', '--out', clientFile, '--format', 'zcert'], capture().io)).toBe(0);
    const serverPair = readKeyFile(serverFile);
    server = await serve(echo, {
      bind: 'tcp://127.0.0.1:*',
      logger: pino({ level: 'silent' }),
      gracefulShutdown: { signals: false, graceMs: 0 },
      security: {
        secretKey: serverPair.secretKey!,
        allow: [{ key: readKeyFile(`${clientFile}.pub`).publicKey, userId: 'cli' }],
      },
    });
  });
  afterAll(() => server?.close());

  it('writes a secret file only its owner can read, and a public file without the secret', async () => {
    expect(statSync(serverFile).mode & 0o077).toBe(0);
    expect(readFileSync(`${serverFile}.pub`, 'utf8')).not.toMatch(/secret/i);
    expect(readFileSync(clientFile, 'utf8')).toMatch(/secret-key = "/);
    expect(await main(['keygen', '--out', serverFile], capture().io)).toBe(2); // no overwrite without --force
  });

  it('calls a secure service with --server-key and --key-file', async () => {
    const c = capture();
    const code = await main(
      [
        'call',
        server.endpoints[0]!,
        'echo.say',
        '"hi"',
        '--server-key',
        `${serverFile}.pub`,
        '--key-file',
        clientFile,
      ],
      c.io,
    );
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    expect(JSON.parse(c.out.join(''))).toBe('cli: hi');
  });

  it('fails fast and says why without the keys or with an unknown key', async () => {
    const plain = capture();
    expect(await main(['health', server.endpoints[0]!, '--deadline', '60s'], plain.io)).toBe(1);
    const stranger = join(dir, 'stranger.json');
    expect(await main(['keygen', '--out', stranger], capture().io)).toBe(0);
    const refused = capture();
    expect(
      await main(
        [
          'health',
          server.endpoints[0]!,
          '--deadline',
          '60s',
          '--server-key',
          `${serverFile}.pub`,
          '--key-file',
          stranger,
        ],
        refused.io,
      ),
    ).toBe(1);
    expect(refused.err.join('\n')).toMatch(/refused our key|handshake/);
  });
});
