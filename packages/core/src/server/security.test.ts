import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../client/create-client.js';
import { createDynamicClient } from '../client/dynamic-client.js';
import { defineService, method } from '../definition.js';
import { NotFoundError, PermissionDeniedError, UnavailableError } from '../errors.js';
import { generateKeyPair, KeyAllowlist } from '../index.js';
import { serve } from './serve.js';

const serverKeys = generateKeyPair();
const admin = generateKeyPair();
const reader = generateKeyPair();
const stranger = generateKeyPair();

const ran: string[] = [];
const vault = defineService({
  name: 'vault',
  version: 1,
  methods: {
    whoami: method({
      input: z.undefined(),
      handler: (_, ctx) => {
        ran.push('whoami');
        return { userId: ctx.identity?.userId ?? null, key: ctx.identity?.key ?? null };
      },
    }),
    wipe: method({
      input: z.undefined(),
      handler: () => {
        ran.push('wipe');
        return 'wiped';
      },
    }),
  },
});

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  ran.length = 0;
});

async function start(describeOption?: boolean | 'authorized') {
  const server = await serve(vault, {
    bind: 'tcp://127.0.0.1:*',
    logger: pino({ level: 'silent' }),
    gracefulShutdown: { signals: false, graceMs: 0 },
    heartbeatIntervalMs: 50,
    security: {
      secretKey: serverKeys.secretKey,
      allow: new KeyAllowlist([
        { key: admin.publicKey, userId: 'admin' },
        { key: reader.publicKey, userId: 'reader' },
      ]),
    },
    // Only the admin may wipe (or read the API); everyone allowed in may ask who they are.
    authorize: (identity, name) => name === 'whoami' || identity?.userId === 'admin',
    ...(describeOption !== undefined && { describe: describeOption }),
  });
  cleanup.push(() => server.close());
  return server;
}

function clientAs(endpoint: string, keys: { secretKey: string }) {
  const client = createClient(vault, {
    endpoints: [endpoint],
    security: { serverKey: serverKeys.publicKey, secretKey: keys.secretKey },
    transport: { heartbeatIntervalMs: 50 },
    retry: false,
    deadlineMs: 60_000,
  });
  cleanup.push(() => client.$close());
  return client;
}

describe('serve with security', () => {
  it('gives the handler the caller identity and refuses methods authorize does not allow', async () => {
    const server = await start();
    const asAdmin = clientAs(server.endpoints[0]!, admin);
    const asReader = clientAs(server.endpoints[0]!, reader);
    expect(await asAdmin.whoami()).toEqual({ userId: 'admin', key: admin.publicKey });
    expect(await asReader.whoami()).toEqual({ userId: 'reader', key: reader.publicKey });
    expect(await asAdmin.wipe()).toBe('wiped');
    const refused = await asReader.wipe().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { method: 'wipe', userId: 'reader' },
    });
    expect(ran.filter((m) => m === 'wipe')).toHaveLength(1);
  });

  it('ends calls with an unknown key at once with UnavailableError ERR_COURIER_HANDSHAKE_FAILED', async () => {
    const server = await start();
    const err = await clientAs(server.endpoints[0]!, stranger)
      .whoami()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).message).toMatch(/handshake|refused/);
    expect(ran).toEqual([]);
  });

  it('restricts or hides _describe', async () => {
    const restricted = await start('authorized');
    const describeAs = (keys: { secretKey: string }, endpoint: string) => {
      const client = createDynamicClient('vault', {
        endpoints: [endpoint],
        security: { serverKey: serverKeys.publicKey, secretKey: keys.secretKey },
        retry: false,
      });
      cleanup.push(() => client.$close());
      return client.describe().catch((e: unknown) => e);
    };
    expect(await describeAs(admin, restricted.endpoints[0]!)).toMatchObject({ name: 'vault' });
    expect(await describeAs(reader, restricted.endpoints[0]!)).toBeInstanceOf(PermissionDeniedError);
    const hidden = await start(false);
    expect(await describeAs(admin, hidden.endpoints[0]!)).toBeInstanceOf(NotFoundError);
  });
});
