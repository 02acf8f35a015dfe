import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChannelRecorder,
  is,
  RawPeer,
  Teardown,
  TRANSPORTS,
  type TransportKind,
  uniqueAddress,
  waitFor,
} from '../../../tests/transport/helpers.js';
import { TransportClient } from './client.js';
import { TransportChannels } from './diagnostics.js';
import { TransportError } from './errors.js';
import { Command, RPC_SIGNATURE, Status } from './protocol/constants.js';
import { encodePacket } from './protocol/encode.js';
import type { Packet, ReplyPacket, RequestPacket } from './protocol/envelope.js';
import { msgpack } from './protocol/msgpack.js';
import type { IncomingRequest, OutgoingReply } from './request.js';
import { type ServerOptions, TransportServer } from './server.js';

const buf = (s: string) => Buffer.from(s);
const HB = 50;

function request(id: number, method: string, body: Buffer[] = []): RequestPacket {
  return {
    cmd: Command.REQUEST,
    id,
    method,
    deadlineMs: 10_000,
    meta: undefined,
    contentType: undefined,
    body,
  };
}
/**
 * A raw peer never heartbeats on its own, so it introduces itself with a long
 * interval: the server then gives it minutes before declaring it dead.
 */
const hello: Packet = { cmd: Command.HEARTBEAT, intervalMs: 60_000, liveness: 3, draining: false };

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe.each(TRANSPORTS)('TransportServer over %s', (kind: TransportKind) => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  function record<T>(channel: string): ChannelRecorder<T> {
    return teardown.add(new ChannelRecorder<T>(channel), (r) => r.close());
  }

  /** Echoes everything; keeps `test.hold` requests in `held`; `test.close` closes the server. */
  async function start(options: Partial<ServerOptions> = {}) {
    const held: IncomingRequest[] = [];
    const server: TransportServer = await TransportServer.listen({
      bind: uniqueAddress(kind),
      heartbeatIntervalMs: HB,
      // Generous, so a busy machine does not lose peers where a test is not about liveness.
      heartbeatLiveness: 10,
      onRequest: (req) => {
        if (req.method === 'test.hold') held.push(req);
        else if (req.method === 'test.close') void server.close();
        else if (req.method === 'test.throw') throw new Error('handler bug');
        else req.reply({ status: Status.OK, body: req.body });
      },
      ...options,
    });
    teardown.add(server, (s) => s.close());
    return { server, held };
  }

  /** A raw DEALER that has introduced itself (see `hello`); its first message is already sent. */
  async function dealer(server: TransportServer, introduce = true): Promise<RawPeer> {
    const peer = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
    if (introduce) await peer.send([hello]);
    return peer;
  }

  /** Sends a ping on `peer` and waits for its reply: everything sent before it has been handled. */
  async function roundTrip(peer: RawPeer, id: number): Promise<void> {
    await peer.send([request(id, 'test.ping')]);
    await peer.next(is.reply(id), `the reply to ping ${id}`);
  }

  const replies = (peer: RawPeer, id?: number) => peer.packets().filter(is.reply(id));

  it('answers first contact with its own heartbeat settings', async () => {
    const { server } = await start({ heartbeatLiveness: 4 });
    const peer = await dealer(server);
    const { packet } = await peer.next(is.heartbeat, 'the server heartbeat');
    expect(packet).toEqual({ cmd: Command.HEARTBEAT, intervalMs: HB, liveness: 4, draining: false });
    expect(server.peerCount).toBe(1);
  });

  it('delivers a duplicate id only once while the first is in flight, and counts the drop', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(5, 'test.hold', [buf('first')])]);
    await waitFor(() => held.length === 1, 'the first request');
    await peer.send([request(5, 'test.hold', [buf('second')])]);
    await roundTrip(peer, 6);
    expect(held).toHaveLength(1);
    expect(dropped.events).toEqual([{ side: 'server', reason: 'DUPLICATE_ID' }]);
    expect(held[0]!.reply({ status: Status.OK, body: held[0]!.body })).toBe(true);
    await peer.next(is.reply(5), 'the one reply to id 5');
    await roundTrip(peer, 7);
    expect(replies(peer, 5).map((r) => String(r.body[0]))).toEqual(['first']);
    // Once answered, the id is free again.
    await roundTrip(peer, 5);
  });

  it('hands the body over once with takeBody(), so a held request no longer holds it', async () => {
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(1, 'test.hold', [buf('a'), buf('b')])]);
    await waitFor(() => held.length === 1, 'the request');
    const req = held[0]!;
    expect(req.takeBody().map(String)).toEqual(['a', 'b']);
    expect(req.body).toEqual([]);
    expect(req.takeBody()).toEqual([]);
    expect(req.reply({ status: Status.OK })).toBe(true);
    await peer.next(is.reply(1), 'the reply');
  });

  it('refuses a second reply and any reply after an abort', async () => {
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(1, 'test.hold'), request(2, 'test.hold')]);
    await waitFor(() => held.length === 2, 'both requests');
    const [first, second] = held as [IncomingRequest, IncomingRequest];
    expect(first.reply({ status: Status.OK })).toBe(true);
    expect(first.replied).toBe(true);
    expect(first.reply({ status: Status.INTERNAL })).toBe(false);

    await peer.send([{ cmd: Command.CANCEL, id: 2 }]);
    await waitFor(() => second.signal.aborted, 'the cancel');
    expect(second.abortReason).toBe('cancelled');
    expect(second.reply({ status: Status.OK })).toBe(false);
    await roundTrip(peer, 3);
    expect(replies(peer).map((r) => [r.id, r.status])).toEqual([
      [1, Status.OK],
      [3, Status.OK],
    ]);
    expect(server.inflight).toBe(0);
  });

  it('answers a handler that throws with INTERNAL and keeps serving', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    teardown.add(warn, (w) => w.mockRestore());
    const { server } = await start();
    const peer = await dealer(server);
    await peer.send([request(1, 'test.throw')]);
    const { packet } = await peer.next(is.reply(1), 'the error reply');
    expect(packet).toMatchObject({ status: Status.INTERNAL, message: 'internal error' });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler bug' }));
    await roundTrip(peer, 2);
  });

  it('answers undecodable packets with coded errors, and a non-Courier message with silence', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const { server } = await start();
    const peer = await dealer(server);
    await peer.sendFrames([buf('GET / HTTP/1.1')]);
    await peer.sendFrames([Buffer.from([0x43, 0x52, 0x52, 9]), ...encodePacket(hello)]);
    await peer.sendFrames([RPC_SIGNATURE, msgpack.pack([Command.REQUEST, 0, 7, '', 100, null, null])]);
    await peer.sendFrames([RPC_SIGNATURE, msgpack.pack([42, 0, 8])]);
    await roundTrip(peer, 9);
    const errors = replies(peer).filter((r) => r.id !== 9);
    expect(errors.map((r) => [r.id, r.status, (r.details as { code: string }).code])).toEqual([
      [0, Status.UNSUPPORTED, 'UNSUPPORTED_VERSION'],
      [7, Status.BAD_REQUEST, 'INVALID_FIELD'],
      [8, Status.UNSUPPORTED, 'UNKNOWN_COMMAND'],
    ]);
    expect(dropped.events.map((e) => e.reason)).toEqual([
      'NOT_COURIER',
      'UNSUPPORTED_VERSION',
      'INVALID_FIELD',
      'UNKNOWN_COMMAND',
    ]);
  });

  it('treats a bad packet reusing an in-flight id as that request’s one reply', async () => {
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(5, 'test.hold')]);
    await waitFor(() => held.length === 1, 'the request');
    await peer.sendFrames([RPC_SIGNATURE, msgpack.pack([Command.REQUEST, 0, 5, '', 100, null, null])]);
    const { packet } = await peer.next(is.reply(5), 'the error reply');
    expect(packet.status).toBe(Status.BAD_REQUEST);
    expect(held[0]!.abortReason).toBe('cancelled');
    expect(held[0]!.reply({ status: Status.OK })).toBe(false);
    await roundTrip(peer, 6);
    expect(replies(peer, 5)).toHaveLength(1);
    expect(server.inflight).toBe(0);
  });

  it('does not mistake a bad heartbeat’s interval for a request id', async () => {
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(50, 'test.hold')]);
    await waitFor(() => held.length === 1, 'the request');
    // interval_ms 50 sits where request ids go; liveness 0 is invalid.
    await peer.sendFrames([RPC_SIGNATURE, msgpack.pack([Command.HEARTBEAT, 0, 50, 0, 0])]);
    await roundTrip(peer, 51);
    const errors = replies(peer).filter((r) => r.id !== 51);
    expect(errors.map((r) => [r.id, r.status])).toEqual([[0, Status.BAD_REQUEST]]);
    expect(held[0]!.abortReason).toBeUndefined();
    expect(server.inflight).toBe(1);
  });

  it('counts a REPLY sent by a client and sends nothing back', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const { server } = await start();
    const peer = await dealer(server);
    const stray: ReplyPacket = {
      cmd: Command.REPLY,
      id: 3,
      status: Status.OK,
      message: undefined,
      details: undefined,
      meta: undefined,
      contentType: undefined,
      body: [],
    };
    await peer.send([stray]);
    await roundTrip(peer, 4);
    expect(replies(peer).map((r) => r.id)).toEqual([4]);
    expect(dropped.events).toEqual([{ side: 'server', reason: 'UNEXPECTED_COMMAND' }]);
  });

  it('aborts a peer’s requests with "peer-lost" when it says DISCONNECT', async () => {
    const peers = record<{ side: string; to: string }>(TransportChannels.peer);
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([request(1, 'test.hold')]);
    await waitFor(() => held.length === 1, 'the request');
    const signal = held[0]!.signal;
    await peer.send([{ cmd: Command.DISCONNECT, reason: 'bye' }]);
    await waitFor(() => signal.aborted, 'the abort');
    expect(held[0]!.abortReason).toBe('peer-lost');
    expect(server.peerCount).toBe(0);
    expect(peers.events.filter((e) => e.side === 'server').map((e) => e.to)).toEqual(['alive', 'gone']);
  });

  it('tracks packets that follow a DISCONNECT in the same message as a new contact', async () => {
    const { server, held } = await start();
    const peer = await dealer(server);
    await peer.send([{ cmd: Command.DISCONNECT, reason: 'restart' }, hello, request(9, 'test.hold')]);
    await waitFor(() => held.length === 1, 'the request');
    expect(server.peerCount).toBe(1);
    expect(server.inflight).toBe(1);
    // And it is aborted like any other when that peer leaves.
    await peer.send([{ cmd: Command.DISCONNECT, reason: 'bye' }]);
    await waitFor(() => held[0]!.abortReason === 'peer-lost', 'the abort');
    expect(server.inflight).toBe(0);
  });

  it('declares a silent peer dead after its own advertised window and aborts its requests', async () => {
    const peers = record<{ side: string; to: string }>(TransportChannels.peer);
    const missed = record<{ side: string }>(TransportChannels.heartbeatMissed);
    const { server, held } = await start();
    const peer = await dealer(server, false);
    // A raw peer never heartbeats again after this.
    await peer.send([
      { cmd: Command.HEARTBEAT, intervalMs: 20, liveness: 3, draining: false },
      request(1, 'test.hold'),
    ]);
    await waitFor(() => held.length === 1, 'the request');
    await waitFor(() => held[0]!.abortReason === 'peer-lost', 'the peer to be declared dead');
    expect(server.peerCount).toBe(0);
    expect(server.inflight).toBe(0);
    expect(peers.events.filter((e) => e.side === 'server').map((e) => e.to)).toEqual(['alive', 'dead']);
    expect(missed.count((e) => e.side === 'server')).toBeGreaterThan(0);
  });

  it('drain(): tells known and new peers, and still serves what arrives', async () => {
    const { server } = await start();
    const early = await dealer(server);
    await early.next(is.heartbeat, 'first contact');
    server.drain('maintenance');
    expect(server.draining).toBe(true);
    const { packet } = await early.next(is.disconnect, 'DISCONNECT to a known peer');
    expect(packet.reason).toBe('maintenance');

    const late = await dealer(server, false);
    await late.send([hello]);
    const hb = await late.next(is.heartbeat, 'first-contact heartbeat');
    expect(hb.packet.draining).toBe(true);
    expect((await late.next(is.disconnect, 'DISCONNECT to a new peer')).packet.reason).toBe('draining');
    await roundTrip(late, 1);
    server.drain('again'); // idempotent: nothing more is sent
    await roundTrip(early, 2);
    expect(early.packets().filter(is.disconnect)).toHaveLength(1);
  });

  it('close(): answers in-flight calls with CANCELLED, aborts them with "closed", and says DISCONNECT', async () => {
    const { server, held } = await start();
    const client = teardown.add(
      new TransportClient({ connect: server.endpoints[0]!, heartbeatIntervalMs: HB, heartbeatLiveness: 10 }),
      (c) => c.close(),
    );
    const call = client.request({ method: 'test.hold', body: [], deadlineMs: 30_000 });
    const peer = await dealer(server);
    await peer.send([request(1, 'test.hold')]);
    await waitFor(() => held.length === 2, 'both requests');
    const signals = held.map((r) => r.signal);
    await Promise.all([server.close(), server.close()]);
    expect(await call).toMatchObject({ status: Status.CANCELLED, local: false });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(held.map((r) => r.abortReason)).toEqual(['closed', 'closed']);
    expect(held.map((r) => r.reply({ status: Status.OK }))).toEqual([false, false]);
    const reply = await peer.next(is.reply(1), 'the CANCELLED reply');
    expect(reply.packet.status).toBe(Status.CANCELLED);
    expect((await peer.next(is.disconnect, 'DISCONNECT')).packet.reason).toBe('closed');
    // DISCONNECT makes it draining; the connection closing right after, dead.
    await waitFor(
      () => client.state === 'draining' || client.state === 'dead',
      'the client to see the server leave',
    );
    await server.close();
  });

  it('close() forgets every peer, and reports each as closed', async () => {
    const peers = record<{ side: string; to: string }>(TransportChannels.peer);
    const { server, held } = await start();
    const first = await dealer(server);
    const second = await dealer(server);
    await first.send([request(1, 'test.hold')]);
    await roundTrip(second, 2);
    await waitFor(() => held.length === 1 && server.peerCount === 2, 'both peers and the request');
    await server.close();
    expect(server.peerCount).toBe(0);
    expect(server.inflight).toBe(0);
    const left = peers.events.filter((e) => e.side === 'server' && e.to !== 'alive').map((e) => e.to);
    expect(left).toEqual(['closed', 'closed']);
  });

  it('keeps replies within the protocol limits: a long message is cut, a reply the caller would drop becomes an error', async () => {
    const dropped = record<{ side: string; reason: string }>(TransportChannels.dropped);
    const replies: Record<string, OutgoingReply> = {
      'limits.message': {
        status: Status.NOT_FOUND,
        message: `${'m'.repeat(1500)}\u{1F600}${'n'.repeat(500)}`,
      },
      'limits.emoji': { status: Status.OK, message: `${'e'.repeat(1022)}\u{1F600}tail` },
      'limits.fits': { status: Status.OK, message: 'f'.repeat(1024) },
      'limits.metaEntries': {
        status: Status.OK,
        meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
      },
      'limits.metaValue': { status: Status.OK, meta: { k: 'v'.repeat(1025) } },
      'limits.contentType': { status: Status.OK, contentType: 'c'.repeat(1025) },
      'limits.details': { status: Status.INTERNAL, details: { trace: 'd'.repeat(100_000) } },
      'limits.status': { status: 1000 },
      'limits.unencodable': { status: Status.OK, details: 2n ** 70n },
      'limits.body': { status: Status.OK, body: [Buffer.alloc(600), Buffer.alloc(600)] },
    };
    const { server } = await start({
      limits: { maxBodyBytes: 1024 },
      onRequest: (req) => req.reply(replies[req.method]!),
    });
    const client = teardown.add(
      new TransportClient({ connect: server.endpoints[0]!, heartbeatIntervalMs: HB, heartbeatLiveness: 10 }),
      (c) => c.close(),
    );
    const call = (method: string) => client.request({ method, body: [], deadlineMs: 15_000 });

    const cut = await call('limits.message');
    expect(cut).toMatchObject({ status: Status.NOT_FOUND, local: false });
    expect(cut.message).toHaveLength(1024);
    expect(cut.message).toBe(`${'m'.repeat(1023)}…`);
    // A surrogate pair is never split: the emoji goes whole.
    expect((await call('limits.emoji')).message).toBe(`${'e'.repeat(1022)}…`);
    expect((await call('limits.fits')).message).toBe('f'.repeat(1024));

    for (const method of [
      'limits.metaEntries',
      'limits.metaValue',
      'limits.contentType',
      'limits.details',
      'limits.status',
      'limits.unencodable',
    ]) {
      const reply = await call(method);
      expect(reply, method).toMatchObject({
        status: Status.INTERNAL,
        local: false,
        details: { code: 'INVALID_REPLY' },
        meta: undefined,
        body: [],
      });
      expect(reply.message, method).toMatch(/^reply (exceeds protocol limits|cannot be encoded)/);
    }
    expect(await call('limits.body')).toMatchObject({
      status: Status.TOO_LARGE,
      local: false,
      message: 'reply body of 1200 bytes exceeds the limit of 1024',
      details: { code: 'REPLY_TOO_LARGE' },
    });
    expect(dropped.events.filter((e) => e.side === 'server').map((e) => e.reason)).toEqual([
      ...Array(6).fill('INVALID_REPLY'),
      'REPLY_TOO_LARGE',
    ]);
  });

  it('truncates a drain reason the clients would otherwise drop with the DISCONNECT', async () => {
    const { server } = await start();
    const peer = await dealer(server);
    await peer.next(is.heartbeat, 'first contact');
    server.drain('r'.repeat(5000));
    const { packet } = await peer.next(is.disconnect, 'the DISCONNECT');
    expect(packet.reason).toBe(`${'r'.repeat(1023)}…`);
  });

  it('close() from inside a handler refuses the rest of the message with UNAVAILABLE', async () => {
    const { server } = await start();
    const peer = await dealer(server);
    await peer.send([request(1, 'test.close'), request(2, 'test.ping')]);
    await peer.next(is.disconnect, 'DISCONNECT');
    await peer.next(is.reply(2), 'the refusal');
    expect(replies(peer).map((r) => [r.id, r.status, r.message])).toEqual([
      [1, Status.CANCELLED, 'server closed before replying'],
      [2, Status.UNAVAILABLE, 'server is closing'],
    ]);
    await server.close();
  });
});

describe('TransportServer binding', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('binds several endpoints, resolves wildcard ports, and serves on each', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: ['tcp://127.0.0.1:*', uniqueAddress('inproc'), uniqueAddress('ipc')],
        onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
      }),
      (s) => s.close(),
    );
    expect(server.endpoints).toHaveLength(3);
    expect(server.endpoints[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    for (const endpoint of server.endpoints) {
      const client = teardown.add(new TransportClient({ connect: endpoint }), (c) => c.close());
      const reply = await client.request({ method: 'echo.x', body: [buf(endpoint)], deadlineMs: 5000 });
      expect(String(reply.body[0])).toBe(endpoint);
    }
  });

  it('fails with ERR_COURIER_BIND_FAILED when the address is taken', async () => {
    for (const address of ['tcp://127.0.0.1:*', uniqueAddress('inproc')]) {
      const first = teardown.add(await TransportServer.listen({ bind: address, onRequest: () => {} }), (s) =>
        s.close(),
      );
      const err = await TransportServer.listen({ bind: first.endpoints[0]!, onRequest: () => {} }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe('ERR_COURIER_BIND_FAILED');
    }
  });

  it('needs at least one endpoint', () => {
    const err = catchError(() => new TransportServer({ bind: [], onRequest: () => {} }));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('ERR_COURIER_INVALID_ENDPOINT');
  });
});
