import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { ChannelRecorder, Teardown, waitFor } from '../../../../tests/transport/helpers.js';
import { TransportClient } from '../client.js';
import { TransportChannels } from '../diagnostics.js';
import { Status } from '../protocol/constants.js';
import { EventPublisher } from '../pubsub/publisher.js';
import { EventSubscriber } from '../pubsub/subscriber.js';
import type { IncomingRequest } from '../request.js';
import { TransportServer } from '../server.js';
import { KeyAllowlist } from './allowlist.js';
import { callerRoutingId } from './caller-id.js';
import { SecurityError } from './errors.js';
import { zapRefusedCount } from './zap-handler.js';

const HB = 50;
const serverPair = zmq.curveKeyPair();
const alice = zmq.curveKeyPair();
const bob = zmq.curveKeyPair();
const mallory = zmq.curveKeyPair();

const teardown = new Teardown();
afterEach(() => teardown.run());

async function secureServer(allow: readonly (string | { key: string; userId?: string })[] | KeyAllowlist) {
  const seen: IncomingRequest[] = [];
  const server = await TransportServer.listen({
    bind: 'tcp://127.0.0.1:*',
    heartbeatIntervalMs: HB,
    security: { secretKey: serverPair.secretKey, allow: allow instanceof KeyAllowlist ? allow : [...allow] },
    onRequest: (req) => {
      seen.push(req);
      req.reply({ status: Status.OK, body: [Buffer.from(req.caller?.userId ?? 'anonymous')] });
    },
  });
  teardown.add(server, (s) => s.close());
  return { server, seen, endpoint: server.endpoints[0]! };
}

function client(
  endpoint: string,
  keys: { publicKey: string; secretKey: string } | undefined,
  serverKey = serverPair.publicKey,
) {
  const c = new TransportClient({
    connect: endpoint,
    heartbeatIntervalMs: HB,
    security: keys === undefined ? undefined : { serverKey, secretKey: keys.secretKey },
  });
  teardown.add(c, (x) => x.close());
  return c;
}

const call = (c: TransportClient, deadlineMs = 5000) =>
  c.request({ method: 'svc.who', body: [], deadlineMs });

describe('CURVE transport', () => {
  it('serves an allowed client, and the handler sees who it is', async () => {
    const { seen, endpoint } = await secureServer([{ key: alice.publicKey, userId: 'alice' }, bob.publicKey]);
    const a = client(endpoint, alice);
    const b = client(endpoint, bob);
    const [ra, rb] = await Promise.all([call(a), call(b)]);
    expect(ra.status).toBe(Status.OK);
    expect(Buffer.concat(ra.body).toString()).toBe('alice');
    // Without a user id, the key itself is the user id.
    expect(Buffer.concat(rb.body).toString()).toBe(bob.publicKey);
    expect(seen.map((r) => r.caller?.key).sort()).toEqual([alice.publicKey, bob.publicKey].sort());
  });

  it('refuses an unknown key at the handshake: the handler never runs, the call fails fast and says why', async () => {
    const { seen, endpoint } = await secureServer([alice.publicKey]);
    const before = zapRefusedCount();
    const reply = await call(client(endpoint, mallory), 60_000);
    expect(reply.status).toBe(Status.UNAVAILABLE);
    expect(reply.local).toBe(true);
    expect(reply.details).toEqual({ code: 'ERR_COURIER_HANDSHAKE_FAILED' });
    expect(seen).toHaveLength(0);
    expect(zapRefusedCount()).toBeGreaterThan(before);
    // New calls fail at once while the handshake keeps failing.
    expect((await call(client(endpoint, mallory), 60_000)).details).toEqual({
      code: 'ERR_COURIER_HANDSHAKE_FAILED',
    });
  });

  it('fails the handshake fast with a wrong server key', async () => {
    const { seen, endpoint } = await secureServer([alice.publicKey]);
    const reply = await call(client(endpoint, alice, zmq.curveKeyPair().publicKey), 60_000);
    expect(reply.status).toBe(Status.UNAVAILABLE);
    expect(reply.details).toEqual({ code: 'ERR_COURIER_HANDSHAKE_FAILED' });
    expect(seen).toHaveLength(0);
  });

  it('gives a plaintext client nothing, and the client reports it', async () => {
    const { seen, endpoint } = await secureServer([alice.publicKey]);
    const reply = await call(client(endpoint, undefined), 60_000);
    expect(reply.status).toBe(Status.UNAVAILABLE);
    expect(reply.local).toBe(true);
    expect(seen).toHaveLength(0);
  });

  it('gives a raw TCP peer nothing back', async () => {
    const { endpoint } = await secureServer([alice.publicKey]);
    const port = Number(endpoint.split(':').at(-1));
    const sock = net.connect(port, '127.0.0.1');
    teardown.add(sock, (s) => s.destroy());
    const received: Buffer[] = [];
    sock.on('data', (d) => received.push(d));
    const closed = new Promise((resolve) => sock.on('close', resolve));
    sock.on('error', () => {});
    // A ZMTP 3 greeting asking for NULL: libzmq answers with its own greeting (CURVE) and then hangs up.
    const greeting = Buffer.alloc(64);
    greeting[0] = 0xff;
    greeting[9] = 0x7f;
    greeting[10] = 3;
    greeting.write('NULL', 12);
    sock.write(greeting);
    await closed;
    const all = Buffer.concat(received);
    // Nothing beyond the greeting (and perhaps an ERROR command) ever came: no Courier heartbeat.
    expect(all.includes(Buffer.from([0x43, 0x52, 0x52]))).toBe(false);
  });

  it('gives no service to an allowed key claiming another identity in its routing id', async () => {
    const { seen, endpoint } = await secureServer([alice.publicKey, bob.publicKey]);
    const drops = teardown.add(new ChannelRecorder<{ reason: string }>(TransportChannels.dropped), (r) =>
      r.close(),
    );
    // Bob gets through the handshake, but states Alice's key without her secret.
    const forged = new TransportClient({
      connect: endpoint,
      heartbeatIntervalMs: HB,
      security: { serverKey: serverPair.publicKey, secretKey: bob.secretKey },
    });
    teardown.add(forged, (x) => x.close());
    const dealer = new zmq.Dealer({
      linger: 0,
      curveServerKey: serverPair.publicKey,
      curvePublicKey: bob.publicKey,
      curveSecretKey: bob.secretKey,
      routingId: callerRoutingId(alice.publicKey, bob.secretKey, serverPair.publicKey),
    });
    teardown.add(dealer, (d) => d.close());
    dealer.connect(endpoint);
    await dealer.send([Buffer.from([0x43, 0x52, 0x52, 1]), Buffer.from([0x92, 3, 0x90])]);
    await waitFor(
      () => drops.count((e) => e.reason === 'UNAUTHENTICATED') > 0,
      'the forged peer to be dropped',
    );
    expect(seen).toHaveLength(0);
    // The honest client with the same key is served.
    expect((await call(forged)).status).toBe(Status.OK);
  });

  it('rotates keys: two allowed, then one removed; the other keeps being served', async () => {
    const allow = new KeyAllowlist([alice.publicKey, bob.publicKey]);
    const { endpoint } = await secureServer(allow);
    expect((await call(client(endpoint, alice))).status).toBe(Status.OK);
    expect((await call(client(endpoint, bob))).status).toBe(Status.OK);
    allow.remove(alice.publicKey);
    const late = await call(client(endpoint, alice), 60_000);
    expect(late.details).toEqual({ code: 'ERR_COURIER_HANDSHAKE_FAILED' });
    const b = client(endpoint, bob);
    for (let i = 0; i < 20; i++) expect((await call(b)).status).toBe(Status.OK);
  });

  it('keeps serving allowed callers through thousands of refused handshakes', async () => {
    const { seen, endpoint } = await secureServer([alice.publicKey]);
    const a = client(endpoint, alice);
    expect((await call(a)).status).toBe(Status.OK);
    const before = zapRefusedCount();
    const TARGET = 2000;
    // libzmq does not retry a connection refused by ZAP, so each attempt is a
    // new socket with a new unknown key; 16 at a time.
    const attacker = async () => {
      while (zapRefusedCount() - before < TARGET) {
        const k = zmq.curveKeyPair();
        const d = new zmq.Dealer({
          linger: 0,
          curveServerKey: serverPair.publicKey,
          curvePublicKey: k.publicKey,
          curveSecretKey: k.secretKey,
        });
        const refused = new Promise((resolve) => d.events.on('handshake:error:auth', resolve));
        d.connect(endpoint);
        await refused;
        d.close();
      }
    };
    const attackers = Promise.all(Array.from({ length: 16 }, attacker));
    let served = 0;
    let failed = 0;
    while (zapRefusedCount() - before < TARGET) {
      const r = await call(a);
      if (r.status === Status.OK) served++;
      else failed++;
    }
    await attackers;
    expect(failed).toBe(0);
    expect(served).toBeGreaterThan(0);
    expect(zapRefusedCount() - before).toBeGreaterThanOrEqual(TARGET);
    expect(seen.every((r) => r.caller?.key === alice.publicKey)).toBe(true);
  }, 60_000);

  it('refuses to start without an allow list or with a bad key', () => {
    expect(
      () =>
        new TransportServer({
          bind: 'tcp://127.0.0.1:*',
          onRequest: () => {},
          security: { secretKey: 'short', allow: [] },
        }),
    ).toThrow(SecurityError);
    expect(
      () =>
        new TransportClient({
          connect: 'tcp://127.0.0.1:1',
          security: { serverKey: serverPair.publicKey, secretKey: alice.secretKey, publicKey: bob.publicKey },
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_COURIER_INVALID_KEY' }));
  });
});

describe('CURVE events', () => {
  it('delivers to an allowed subscriber and not to an unknown one', async () => {
    const pub = await EventPublisher.bind({
      bind: 'tcp://127.0.0.1:*',
      security: { secretKey: serverPair.secretKey, allow: [alice.publicKey] },
    });
    teardown.add(pub, (p) => p.close());
    const got: string[] = [];
    const strangers: string[] = [];
    const sub = new EventSubscriber({
      connect: pub.endpoints[0]!,
      topics: ['t'],
      security: { serverKey: serverPair.publicKey, secretKey: alice.secretKey },
      onEvent: (e) => {
        got.push(Buffer.concat(e.body).toString());
      },
    });
    teardown.add(sub, (s) => s.close());
    const stranger = new EventSubscriber({
      connect: pub.endpoints[0]!,
      topics: ['t'],
      security: { serverKey: serverPair.publicKey, secretKey: mallory.secretKey },
      onEvent: (e) => {
        strangers.push(Buffer.concat(e.body).toString());
      },
    });
    teardown.add(stranger, (s) => s.close());
    const refusedBefore = zapRefusedCount();
    await pub.waitForSubscriber('t');
    await waitFor(() => zapRefusedCount() > refusedBefore, 'the stranger to be refused');
    for (let i = 0; i < 5; i++) pub.publish('t', [Buffer.from(`e${i}`)]);
    await waitFor(() => got.length === 5, 'five events');
    expect(strangers).toEqual([]);
  });
});
