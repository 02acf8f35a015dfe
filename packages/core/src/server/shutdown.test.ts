import diagnosticsChannel from 'node:diagnostics_channel';
import { Command, msgpack, type Packet, Status } from '@courier/transport';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { is, RawPeer } from '../../../../tests/transport/helpers.js';
import { defineService, method } from '../definition.js';
import { CoreChannels, type ServerLifecycle } from '../diagnostics.js';
import { type Deferred, deferred, startHarness, waitFor } from './harness.test-util.js';
import { serve } from './serve.js';

function slowService() {
  const gates = new Map<string, Deferred<string>>();
  const signals = new Map<string, AbortSignal>();
  const gate = (id: string): Deferred<string> => {
    if (!gates.has(id)) gates.set(id, deferred<string>());
    return gates.get(id)!;
  };
  const definition = defineService({
    name: 'slow',
    version: 1,
    methods: {
      work: method({
        input: z.string(),
        concurrency: 1,
        maxQueue: 10,
        handler: async (id, ctx) => {
          signals.set(id, ctx.signal);
          return gate(id).promise;
        },
      }),
    },
  });
  return { definition, gate, signals };
}

describe('graceful shutdown', () => {
  const lifecycle: ServerLifecycle[] = [];
  const onLifecycle = (m: unknown): void => {
    lifecycle.push(m as ServerLifecycle);
  };
  diagnosticsChannel.subscribe(CoreChannels.serverLifecycle, onLifecycle);
  afterEach(() => {
    lifecycle.length = 0;
  });

  it('drain lets in-flight and queued calls finish, tells clients, and resolves when idle', async () => {
    const svc = slowService();
    await using h = await startHarness(svc.definition);
    const running = h.call('work', 'a');
    const queued = h.call('work', 'b');
    await waitFor(() => h.server.stats().methods[0]?.queued === 1);
    let drained = false;
    const drain = h.server.drain().then(() => {
      drained = true;
    });
    expect(h.server.stats().draining).toBe(true);
    // The client heard DISCONNECT: new calls go elsewhere (here: nowhere).
    await waitFor(() => h.client.state === 'draining');
    expect(await h.call('work', 'c')).toMatchObject({ status: 'UNAVAILABLE', local: true });
    svc.gate('a').resolve('A');
    expect(await running).toMatchObject({ status: 'OK', value: 'A' });
    expect(drained).toBe(false);
    svc.gate('b').resolve('B');
    expect(await queued).toMatchObject({ status: 'OK', value: 'B' });
    await drain;
    expect(lifecycle.map((e) => e.event)).toEqual(['started', 'draining']);
    expect(lifecycle[1]?.stats()).toMatchObject({ service: 'slow', draining: true });
  });

  it('close waits for in-flight work within the grace period', async () => {
    const svc = slowService();
    await using h = await startHarness(svc.definition, { gracefulShutdown: { graceMs: 10_000 } });
    const running = h.call('work', 'a');
    await waitFor(() => svc.signals.has('a'));
    let closed = false;
    const close = h.server.close().then(() => {
      closed = true;
    });
    await waitFor(() => h.server.stats().draining);
    expect(closed).toBe(false);
    svc.gate('a').resolve('A');
    expect(await running).toMatchObject({ status: 'OK', value: 'A' });
    await close;
    expect(svc.signals.get('a')?.aborted).toBe(false);
    expect(lifecycle.map((e) => e.event)).toEqual(['started', 'draining', 'stopped']);
  });

  it('after the grace period, answers what is left: running CANCELLED (signal aborted), queued UNAVAILABLE', async () => {
    const svc = slowService();
    await using h = await startHarness(svc.definition);
    const running = h.call('work', 'a');
    const queued = h.call('work', 'b');
    await waitFor(() => h.server.stats().methods[0]?.queued === 1);
    await h.server.close({ graceMs: 20 });
    expect(await running).toMatchObject({ status: 'CANCELLED', local: false });
    expect(await queued).toMatchObject({ status: 'UNAVAILABLE', local: false });
    expect(svc.signals.get('a')?.aborted).toBe(true);
    expect(svc.signals.has('b')).toBe(false);
    expect(h.ends.map((e) => [e.status, e.refused])).toEqual([
      ['UNAVAILABLE', true],
      ['CANCELLED', false],
    ]);
    // Late results of abandoned handlers go nowhere.
    svc.gate('a').resolve('late');
  });

  it('once drained, keeps its socket open a heartbeat interval, refusing calls still on their way', async () => {
    const svc = slowService();
    const server = await serve(svc.definition, {
      bind: 'tcp://127.0.0.1:*',
      logger: pino({ level: 'silent' }),
      // The settling time is the heartbeat interval: long enough here for the peer to answer in.
      heartbeatIntervalMs: 1000,
      gracefulShutdown: { signals: false, graceMs: 10_000 },
    });
    // A client that sends after DISCONNECT, as a call already on the wire when it came would arrive.
    const peer = RawPeer.dealer(server.endpoints[0]!);
    try {
      await peer.send([{ cmd: Command.HEARTBEAT, intervalMs: 1000, liveness: 3, draining: false }]);
      await peer.next(is.heartbeat, 'the server to answer the introduction');
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      await peer.next(is.disconnect, 'DISCONNECT');
      const late: Packet = {
        cmd: Command.REQUEST,
        id: 7,
        method: 'slow.work',
        deadlineMs: 5000,
        meta: undefined,
        contentType: undefined,
        body: [msgpack.pack('late')],
      };
      await peer.send([late]);
      const { packet } = await peer.next(is.reply(7), 'an answer to the late call');
      // Refused as not executed (the caller retries it elsewhere), rather than lost with the socket.
      expect(packet).toMatchObject({ status: Status.UNAVAILABLE, message: 'server is draining' });
      expect(closed).toBe(false);
      await closing;
      expect(svc.signals.has('late')).toBe(false);
    } finally {
      await peer.close();
      await server.close();
    }
  });

  it('closes on SIGTERM, then removes its listeners', async () => {
    const svc = slowService();
    const before = process.listenerCount('SIGTERM');
    const server = await serve(svc.definition, {
      bind: 'inproc://courier-shutdown-signal-test',
      logger: pino({ level: 'silent' }),
      gracefulShutdown: { signals: ['SIGTERM'], graceMs: 0, exit: false },
    });
    try {
      expect(process.listenerCount('SIGTERM')).toBe(before + 1);
      process.emit('SIGTERM', 'SIGTERM');
      expect(process.listenerCount('SIGTERM')).toBe(before);
      await waitFor(() => lifecycle.some((e) => e.event === 'stopped'));
    } finally {
      await server.close();
    }
  });

  it('close is idempotent and removes signal listeners', async () => {
    const svc = slowService();
    const before = process.listenerCount('SIGINT');
    const server = await serve(svc.definition, {
      bind: 'tcp://127.0.0.1:*',
      logger: pino({ level: 'silent' }),
    });
    expect(server.endpoints[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
