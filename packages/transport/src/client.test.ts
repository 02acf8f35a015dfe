import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  answerEchoes,
  answerHeartbeats,
  ChannelRecorder,
  is,
  RawPeer,
  reserveAddress,
  Teardown,
  TRANSPORTS,
  uniqueAddress,
  waitFor,
} from '../../../tests/transport/helpers.js';
import {
  type ClientOptions,
  type OutgoingRequest,
  type PeerState,
  type Reply,
  TransportClient,
} from './client.js';
import { TransportChannels } from './diagnostics.js';
import { TransportError } from './errors.js';
import { Command, RPC_SIGNATURE, Status } from './protocol/constants.js';
import type { ReplyPacket, RequestPacket } from './protocol/envelope.js';
import { msgpack } from './protocol/msgpack.js';
import type { IncomingRequest } from './request.js';
import { type ServerOptions, TransportServer } from './server.js';
import { yieldToLoop } from './yield.js';

const buf = (s: string) => Buffer.from(s);
/**
 * Short heartbeats keep the tests fast; a generous liveness keeps a busy
 * machine (or a cold start) from declaring a peer dead where a test is not
 * about liveness. Tests about liveness set their own.
 */
const HB = 50;
const LIVENESS = 10;

describe.each(TRANSPORTS)('TransportClient over %s', (kind) => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  async function startServer(
    onRequest: (req: IncomingRequest) => void,
    options: Partial<ServerOptions> = {},
  ): Promise<TransportServer> {
    const server = await TransportServer.listen({
      bind: uniqueAddress(kind),
      heartbeatIntervalMs: HB,
      heartbeatLiveness: LIVENESS,
      onRequest,
      ...options,
    });
    return teardown.add(server, (s) => s.close());
  }

  function connect(endpoint: string, options: Partial<ClientOptions> = {}): TransportClient {
    const client = new TransportClient({
      connect: endpoint,
      heartbeatIntervalMs: HB,
      heartbeatLiveness: LIVENESS,
      ...options,
    });
    return teardown.add(client, (c) => c.close());
  }

  function record<T>(channel: string): ChannelRecorder<T> {
    return teardown.add(new ChannelRecorder<T>(channel), (r) => r.close());
  }

  /** A server that echoes every request except those for `hold`, which it keeps in `held`. */
  async function echoServer(options: Partial<ServerOptions> = {}) {
    const held: IncomingRequest[] = [];
    const server = await startServer((req) => {
      if (req.method === 'test.hold') held.push(req);
      else req.reply({ status: Status.OK, body: req.body });
    }, options);
    return { server, held };
  }

  /** A raw ROUTER playing server, and a client connected to it that it has heard from. */
  async function rawServer(options: Partial<ClientOptions> = {}) {
    const { peer, endpoint } = await RawPeer.router(uniqueAddress(kind));
    teardown.add(peer, (p) => p.close());
    const client = connect(endpoint, options);
    const { message } = await peer.next(is.heartbeat, 'the first client heartbeat');
    return { router: peer, client, route: message.route! };
  }

  it('echoes a request: status, message, details, metadata, content type and every body frame', async () => {
    let seen: IncomingRequest | undefined;
    const server = await startServer((req) => {
      seen = req;
      req.reply({
        status: Status.OK,
        message: 'fine',
        details: { frames: req.body.length },
        meta: { echoed: req.method },
        contentType: req.contentType,
        body: req.body,
      });
    });
    const client = connect(server.endpoints[0]!);
    const reply = await client.request({
      method: 'echo.say',
      body: [buf('one'), Buffer.alloc(0), buf('three')],
      deadlineMs: 5000,
      meta: { caller: 'tests' },
      contentType: 'application/json',
    });
    expect(reply).toEqual<Reply>({
      status: Status.OK,
      message: 'fine',
      details: { frames: 3 },
      meta: { echoed: 'echo.say' },
      contentType: 'application/json',
      body: [buf('one'), Buffer.alloc(0), buf('three')],
      local: false,
    });
    expect(seen!.meta).toEqual({ caller: 'tests' });
    expect(seen!.deadlineMs).toBe(5000);
    expect(seen!.peer).toMatch(/^[0-9a-f]+$/);
    expect(client.state).toBe('alive');
    expect(client.inflight).toBe(0);
  });

  it('goes from connecting to alive on first contact and says so', async () => {
    const { server } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const states: [PeerState, PeerState][] = [];
    client.on('state', (to, from) => states.push([to, from]));
    expect(client.state).toBe('connecting');
    await waitFor(() => client.state === 'alive', 'alive');
    expect(states).toEqual([['alive', 'connecting']]);
  });

  it('pipelines 256 requests and matches replies sent back in reverse order', async () => {
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const calls = Array.from({ length: 256 }, (_, i) =>
      client.request({ method: 'test.hold', body: [buf(`body-${i}`)], deadlineMs: 10_000 }),
    );
    await waitFor(() => held.length === 256, 'all 256 requests at the server');
    expect(client.inflight).toBe(256);
    for (const req of held.reverse()) expect(req.reply({ status: Status.OK, body: req.body })).toBe(true);
    const replies = await Promise.all(calls);
    replies.forEach((r, i) => {
      expect(r.status).toBe(Status.OK);
      expect(r.body.map(String)).toEqual([`body-${i}`]);
    });
  });

  it('keeps 256 requests in flight through thousands of calls without dropping a reply', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    let n = 0;
    const server = await startServer((req) => {
      // Mix immediate and deferred replies so they leave out of order.
      if (++n % 3 === 0) setImmediate(() => req.reply({ status: Status.OK, body: req.body }));
      else req.reply({ status: Status.OK, body: req.body });
    });
    const client = connect(server.endpoints[0]!);
    const total = 5000;
    let next = 0;
    let bad = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const body = Buffer.alloc(64 + (i % 200), i % 251);
        const r = await client.request({ method: 'echo.load', body: [body], deadlineMs: 15_000 });
        if (r.status !== Status.OK || !r.body[0]?.equals(body)) bad++;
      }
    };
    await Promise.all(Array.from({ length: 256 }, worker));
    expect(bad).toBe(0);
    expect(dropped.events.map((e) => `${e.side}:${e.reason}`)).toEqual([]);
  });

  it('settles a call the server never answers with DEADLINE_EXCEEDED, and the server sees CANCEL', async () => {
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const call = client.request({ method: 'test.hold', body: [], deadlineMs: 100 });
    await waitFor(() => held.length === 1, 'the request at the server');
    const signal = held[0]!.signal;
    const reply = await call;
    expect(reply).toMatchObject({ status: Status.DEADLINE_EXCEEDED, local: true, body: [] });
    await waitFor(() => signal.aborted, 'the server-side signal to abort');
    expect(held[0]!.abortReason).toBe('cancelled');
    expect((signal.reason as { name: string; reason: string }).name).toBe('AbortError');
    expect((signal.reason as { reason: string }).reason).toBe('cancelled');
    expect(held[0]!.reply({ status: Status.OK })).toBe(false);
    expect(server.inflight).toBe(0);
    expect(client.inflight).toBe(0);
  });

  it('cancels through an AbortSignal: CANCELLED locally, abort reason "cancelled" at the server', async () => {
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const controller = new AbortController();
    const call = client.request({
      method: 'test.hold',
      body: [],
      deadlineMs: 10_000,
      signal: controller.signal,
    });
    await waitFor(() => held.length === 1, 'the request at the server');
    controller.abort();
    expect(await call).toMatchObject({ status: Status.CANCELLED, local: true });
    // The signal is created lazily; one first read after the abort is aborted too.
    await waitFor(() => held[0]!.abortReason !== undefined, 'the server to see the cancel');
    expect(held[0]!.abortReason).toBe('cancelled');
    expect(held[0]!.signal.aborted).toBe(true);
    expect(server.inflight).toBe(0);
  });

  it('does not send a request whose signal is already aborted', async () => {
    const seen: string[] = [];
    const server = await startServer((req) => {
      seen.push(req.method);
      req.reply({ status: Status.OK });
    });
    const client = connect(server.endpoints[0]!);
    const reply = await client.request({
      method: 'a.never',
      body: [],
      deadlineMs: 1000,
      signal: AbortSignal.abort(),
    });
    expect(reply).toMatchObject({ status: Status.CANCELLED, local: true });
    expect((await client.request({ method: 'a.after', body: [], deadlineMs: 5000 })).status).toBe(Status.OK);
    expect(seen).toEqual(['a.after']);
  });

  it('refuses deadlines the wire cannot carry with BAD_REQUEST', async () => {
    const { server } = await echoServer();
    const client = connect(server.endpoints[0]!);
    for (const deadlineMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(await client.request({ method: 'echo.x', body: [], deadlineMs })).toMatchObject({
        status: Status.BAD_REQUEST,
        local: true,
      });
    }
    expect(client.inflight).toBe(0);
  });

  // Nothing is bound yet and the send queue holds one message, so sends block
  // (up to sendTimeout, one heartbeat interval: long here) and later packets
  // wait in the BatchWriter. Not over inproc: there, a send blocked on a
  // connection pending its bind was not woken when the bind attached it, and
  // timed out. The BatchWriter under test is the same on every transport.
  if (kind !== 'inproc') {
    it('does not send a request whose deadline passed while it was still queued', async () => {
      const address = await reserveAddress(kind);
      const client = connect(address, { heartbeatIntervalMs: 5000, sendHighWaterMark: 1 });
      const blockers: Promise<Reply>[] = [];
      for (let i = 0; i < 2; i++) {
        // One loop turn each, so each starts its own send. (A packet already
        // handed to zeromq.js cannot be withdrawn; one still queued can.)
        await yieldToLoop();
        blockers.push(client.request({ method: `queue.blocker${i}`, body: [], deadlineMs: 10_000 }));
      }
      const expired = await client.request({ method: 'queue.expired', body: [], deadlineMs: 10 });
      expect(expired).toMatchObject({ status: Status.DEADLINE_EXCEEDED, local: true });

      const { peer: router } = await RawPeer.router(address);
      teardown.add(router, (p) => p.close());
      router.respond = answerEchoes(HB);
      expect((await Promise.all(blockers)).map((r) => r.status)).toEqual([Status.OK, Status.OK]);
      expect((await client.request({ method: 'queue.after', body: [], deadlineMs: 10_000 })).status).toBe(
        Status.OK,
      );
      const sent = router.packets().filter((p) => p.cmd === Command.REQUEST || p.cmd === Command.CANCEL);
      // Neither the expired request nor a CANCEL for it went out.
      expect(sent.map((p) => (p as RequestPacket).method)).toEqual([
        'queue.blocker0',
        'queue.blocker1',
        'queue.after',
      ]);
      // Before the router goes, so the DISCONNECT finds room in the one-message queue.
      await client.close();
    });
  }

  it('never delivers to a server that comes up later what it already failed as UNAVAILABLE', async () => {
    const address = await reserveAddress(kind);
    const client = connect(address, { heartbeatLiveness: 3 });
    const failed = await client.request({ method: 'stale.call', body: [], deadlineMs: 30_000 });
    expect(failed).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    expect(client.state).toBe('dead');

    const { peer: router } = await RawPeer.router(address);
    teardown.add(router, (p) => p.close());
    router.respond = answerEchoes(HB);
    await waitFor(() => client.state === 'alive', 'the client to find the server');
    expect((await client.request({ method: 'fresh.call', body: [], deadlineMs: 10_000 })).status).toBe(
      Status.OK,
    );
    const methods = router.packets().flatMap((p) => (p.cmd === Command.REQUEST ? [p.method] : []));
    if (kind === 'inproc') {
      // libzmq attaches an inproc pipe queued before the bind as is; it
      // survives the purge. (tcp and ipc are the transports that restart.)
      expect(methods.filter((m) => m !== 'stale.call')).toEqual(['fresh.call']);
    } else {
      expect(methods).toEqual(['fresh.call']);
    }
  });

  it('reports draining: new calls fail fast with UNAVAILABLE, calls in flight are still answered', async () => {
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const inFlight = [1, 2].map((i) =>
      client.request({ method: 'test.hold', body: [buf(`${i}`)], deadlineMs: 10_000 }),
    );
    await waitFor(() => held.length === 2, 'both requests at the server');
    server.drain();
    expect(server.draining).toBe(true);
    await waitFor(() => client.state === 'draining', 'the client to see draining');
    const refused = await client.request({ method: 'echo.x', body: [], deadlineMs: 1000 });
    expect(refused).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    expect(refused.message).toContain('draining');
    for (const req of held) req.reply({ status: Status.OK, body: req.body });
    const replies = await Promise.all(inFlight);
    expect(replies.map((r) => [r.status, String(r.body[0])])).toEqual([
      [Status.OK, '1'],
      [Status.OK, '2'],
    ]);
    expect(client.state).toBe('draining');
  });

  it('follows the draining flag and DISCONNECT, and is alive again on a heartbeat without the flag', async () => {
    const { router, client, route } = await rawServer();
    const hb = (draining: boolean) =>
      ({ cmd: Command.HEARTBEAT, intervalMs: HB, liveness: 3, draining }) as const;
    await router.send([hb(false)], route);
    await waitFor(() => client.state === 'alive', 'alive');
    await router.send([hb(true)], route);
    await waitFor(() => client.state === 'draining', 'draining via the heartbeat flag');
    await router.send([hb(false)], route);
    await waitFor(() => client.state === 'alive', 'alive again');
    await router.send([{ cmd: Command.DISCONNECT, reason: 'restarting' }], route);
    await waitFor(() => client.state === 'draining', 'draining via DISCONNECT');
    await router.send([hb(false)], route);
    await waitFor(() => client.state === 'alive', 'alive after DISCONNECT');
  });

  it('declares a silent server dead, fails its calls with UNAVAILABLE, and revives on traffic', async () => {
    const { router, client, route } = await rawServer({ heartbeatLiveness: 3 });
    await router.send([{ cmd: Command.HEARTBEAT, intervalMs: HB, liveness: 3, draining: false }], route);
    await waitFor(() => client.state === 'alive', 'alive');
    const call = client.request({ method: 'x.y', body: [], deadlineMs: 30_000 });
    const reply = await call;
    expect(reply).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    expect(client.state).toBe('dead');
    const fast = await client.request({ method: 'x.y', body: [], deadlineMs: 30_000 });
    expect(fast).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    expect(fast.message).toContain('unreachable');
    // Declaring it dead replaced the connection (and so the client's routing
    // id): answer the heartbeats that arrive on the new one.
    router.respond = answerHeartbeats(HB);
    await waitFor(() => client.state === 'alive', 'alive again');
  });

  it('judges a slow server by the interval the server advertises, not its own', async () => {
    // The server's liveness is generous: only the client's judgement is under test.
    const { server } = await echoServer({ heartbeatIntervalMs: 200, heartbeatLiveness: 20 });
    const bytes = record<{ side: string; direction: string }>(TransportChannels.bytes);
    // 5 x 20 ms = 100 ms by its own interval; 5 x 200 ms = 1 s by the server's.
    const client = connect(server.endpoints[0]!, { heartbeatIntervalMs: 20, heartbeatLiveness: 5 });
    const states: PeerState[] = [];
    await waitFor(() => client.state === 'alive', 'alive');
    client.on('state', (to) => states.push(to));
    const heard = () => bytes.count((e) => e.side === 'client' && e.direction === 'in');
    const start = heard();
    // Three server heartbeats: far longer than the client's own 3 x 20 ms window.
    await waitFor(() => heard() >= start + 3, 'three server heartbeats');
    expect(states).toEqual([]);
    expect((await client.request({ method: 'echo.x', body: [], deadlineMs: 5000 })).status).toBe(Status.OK);
  });

  it('is judged by the server by the interval the client advertises, not the server’s own', async () => {
    // The client's liveness is generous: only the server's judgement is under test.
    // 5 x 20 ms = 100 ms by its own interval; 5 x 200 ms = 1 s by the client's.
    const { server } = await echoServer({ heartbeatIntervalMs: 20, heartbeatLiveness: 5 });
    const peers = record<{ side: string; to: string }>(TransportChannels.peer);
    const bytes = record<{ side: string; direction: string }>(TransportChannels.bytes);
    const client = connect(server.endpoints[0]!, { heartbeatIntervalMs: 200, heartbeatLiveness: 20 });
    await waitFor(() => client.state === 'alive' && server.peerCount === 1, 'the connection');
    const heard = () => bytes.count((e) => e.side === 'server' && e.direction === 'in');
    const start = heard();
    await waitFor(() => heard() >= start + 3, 'three client heartbeats');
    expect(peers.events.filter((e) => e.to !== 'alive')).toEqual([]);
    expect(server.peerCount).toBe(1);
  });

  it('close() settles what is in flight with CANCELLED, tells the server, and refuses new calls', async () => {
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    const calls = [1, 2].map(() => client.request({ method: 'test.hold', body: [], deadlineMs: 10_000 }));
    await waitFor(() => held.length === 2, 'both requests at the server');
    await client.close();
    expect(await Promise.all(calls)).toMatchObject([
      { status: Status.CANCELLED, local: true },
      { status: Status.CANCELLED, local: true },
    ]);
    expect(client.state).toBe('closed');
    await client.close();
    expect(await client.request({ method: 'echo.x', body: [], deadlineMs: 1000 })).toMatchObject({
      status: Status.UNAVAILABLE,
      local: true,
      message: 'client is closed',
    });
    // The DISCONNECT told the server: what it was running for us is aborted.
    await waitFor(() => held.every((r) => r.abortReason === 'peer-lost'), 'the server to drop the requests');
    expect(server.inflight).toBe(0);
    expect(server.peerCount).toBe(0);
  });

  it('refuses at once, without sending, a request the server would reject for its fields or size', async () => {
    const seen: string[] = [];
    const server = await startServer((req) => {
      seen.push(req.method);
      req.reply({ status: Status.OK });
    });
    const client = connect(server.endpoints[0]!, { limits: { maxBodyBytes: 1024 } });
    const entries = (n: number, value: string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, value]));
    const cases: [string, Partial<OutgoingRequest>, Status, string][] = [
      ['long method', { method: `a.${'m'.repeat(255)}` }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['empty method', { method: '' }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['65 meta entries', { meta: entries(65, 'v') }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['long meta value', { meta: { k: 'v'.repeat(1025) } }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['long meta key', { meta: { ['k'.repeat(1025)]: 'v' } }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['long content type', { contentType: 'c'.repeat(1025) }, Status.BAD_REQUEST, 'INVALID_REQUEST'],
      ['large body', { body: [Buffer.alloc(600), Buffer.alloc(600)] }, Status.TOO_LARGE, 'REQUEST_TOO_LARGE'],
      // Every field within its limit, but 64 KiB of meta overflow the envelope.
      ['large envelope', { meta: entries(64, 'v'.repeat(1024)) }, Status.TOO_LARGE, 'REQUEST_TOO_LARGE'],
    ];
    for (const [what, fields, status, code] of cases) {
      const reply = await client.request({
        method: 'limits.refused',
        body: [],
        deadlineMs: 15_000,
        ...fields,
      });
      expect(reply, what).toMatchObject({ status, local: true, details: { code } });
    }
    expect(client.inflight).toBe(0);
    // Within every limit: sent and answered.
    const fits = await client.request({
      method: `a.${'m'.repeat(254)}`,
      body: [Buffer.alloc(1024)],
      deadlineMs: 15_000,
      meta: entries(64, 'v'),
      contentType: 'c'.repeat(1024),
    });
    expect(fits).toMatchObject({ status: Status.OK, local: false });
    expect(seen).toEqual([`a.${'m'.repeat(254)}`]);
  });

  it('settles a call at once with INTERNAL when its reply arrives but cannot be decoded', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const { router, client, route } = await rawServer();
    router.respond = answerHeartbeats(HB);
    const call = client.request({ method: 'x.y', body: [], deadlineMs: 15_000 });
    const { packet } = await router.next(is.request(), 'the request');
    // A message of 1025 characters: one more than the decoder accepts.
    await router.sendFrames([
      route,
      RPC_SIGNATURE,
      msgpack.pack([Command.REPLY, 0, packet.id, Status.OK, 'x'.repeat(1025), null, null, null]),
    ]);
    expect(await call).toMatchObject({
      status: Status.INTERNAL,
      local: true,
      message: 'malformed reply from server: INVALID_FIELD',
      details: { code: 'INVALID_FIELD' },
    });
    expect(client.inflight).toBe(0);
    expect(dropped.events).toEqual([{ side: 'client', reason: 'INVALID_FIELD' }]);
  });

  it('does not take a bad packet of another command that names a call for that call’s reply', async () => {
    const { router, client, route } = await rawServer();
    router.respond = answerHeartbeats(HB);
    const call = client.request({ method: 'x.y', body: [], deadlineMs: 15_000 });
    const { packet } = await router.next(is.request(), 'the request');
    const reply: ReplyPacket = {
      cmd: Command.REPLY,
      id: packet.id,
      status: Status.OK,
      message: 'the real one',
      details: undefined,
      meta: undefined,
      contentType: undefined,
      body: [],
    };
    await router.sendFrames([
      route,
      RPC_SIGNATURE,
      // A command from a later revision about this request, and a broken REQUEST naming it,
      // batched: both envelopes in the one envelopes frame.
      Buffer.concat([
        msgpack.pack([9, 0, packet.id]),
        msgpack.pack([Command.REQUEST, 0, packet.id, '', 100, null, null]),
      ]),
    ]);
    await router.send([reply], route);
    expect(await call).toMatchObject({ status: Status.OK, local: false, message: 'the real one' });
  });

  it('counts every message-level error from the server but warns about them at most once per 10 s', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    teardown.add(warn, (w) => w.mockRestore());
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const { router, client, route } = await rawServer();
    router.respond = answerHeartbeats(HB);
    const rejection: ReplyPacket = {
      cmd: Command.REPLY,
      id: 0,
      status: Status.BAD_REQUEST,
      message: 'frame 1 is not a valid envelope',
      details: { code: 'MALFORMED_ENVELOPE' },
      meta: undefined,
      contentType: undefined,
      body: [],
    };
    for (let i = 0; i < 5; i++) await router.send([rejection], route);
    const rejected = () => dropped.count((e) => e.side === 'client' && e.reason === 'SERVER_REJECTED');
    await waitFor(() => rejected() === 5, 'all five rejections');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(
      'rejected a message: 400 frame 1 is not a valid envelope',
    );
    // The client itself is fine: it answers calls as before.
    expect(client.state).toBe('alive');
  });

  it('close() gets its DISCONNECT to the server even behind megabytes still queued', async () => {
    const peers = record<{ side: string; to: string }>(TransportChannels.peer);
    const { server, held } = await echoServer();
    const client = connect(server.endpoints[0]!);
    expect((await client.request({ method: 'echo.x', body: [], deadlineMs: 15_000 })).status).toBe(Status.OK);
    const big = Buffer.alloc(1024 * 1024);
    const calls = Array.from({ length: 8 }, () =>
      client.request({ method: 'test.hold', body: [big], deadlineMs: 15_000 }),
    );
    // Let them leave the BatchWriter, so they sit in libzmq's queue when close() runs.
    for (let i = 0; i < 3; i++) await yieldToLoop();
    await client.close();
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(8).fill(Status.CANCELLED));
    const left = () => peers.events.filter((e) => e.side === 'server' && e.to !== 'alive');
    await waitFor(() => left().length > 0, 'the server to forget the client');
    // 'gone' (it heard the DISCONNECT), not 'dead' (its liveness check noticed the silence).
    expect(left().map((e) => e.to)).toEqual(['gone']);
    await waitFor(() => held.every((r) => r.abortReason === 'peer-lost'), 'the held calls to be aborted');
  });

  it('sends no CANCEL for calls it failed when it declared the server dead; contact resumes as a new peer', async () => {
    const { router, client, route } = await rawServer({ heartbeatLiveness: 3 });
    await router.send([{ cmd: Command.HEARTBEAT, intervalMs: HB, liveness: 3, draining: false }], route);
    await waitFor(() => client.state === 'alive', 'alive');
    const failed = await client.request({ method: 'x.stalled', body: [], deadlineMs: 30_000 });
    expect(failed).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    await router.next(is.request(), 'the request the server held');
    router.respond = answerHeartbeats(HB);
    await waitFor(() => client.state === 'alive', 'alive again');
    // A CANCEL on the new connection would name a request the server never
    // got from that peer; the server aborts the old peer's work itself when
    // it notices that connection's silence (docs/protocol.md, section 9.2).
    expect(router.received.at(-1)!.route!.equals(route)).toBe(false);
    expect(router.packets().filter(is.cancel)).toEqual([]);
  });

  it('fails a call with UNAVAILABLE when nothing is listening', async () => {
    const client = connect(await reserveAddress(kind), { heartbeatLiveness: 3 });
    const reply = await client.request({ method: 'x.y', body: [], deadlineMs: 30_000 });
    expect(reply).toMatchObject({ status: Status.UNAVAILABLE, local: true });
  });
});

describe('TransportClient construction', () => {
  it('throws a coded TransportError for an endpoint libzmq rejects', () => {
    let caught: unknown;
    try {
      new TransportClient({ connect: 'nope://x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TransportError);
    expect((caught as TransportError).code).toBe('ERR_COURIER_INVALID_ENDPOINT');
  });
});
