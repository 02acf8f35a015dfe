import { performance } from 'node:perf_hooks';
import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  CancelledError,
  ClientConfigError,
  CourierError,
  createClient,
  NotFoundError,
  UnavailableError,
} from '../index.js';
import { Cleanup, deferred, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { inputOf, replyStatus, replyValue, startServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Replies to get with a track, to add with `{ added: true }`, to count with 3; reports meta and deadline in `seen`. */
async function playlistServer() {
  const server = cleanup.add(
    await startServer((req) => {
      switch (req.method) {
        case 'playlist.get': {
          const { id } = inputOf(req) as { id: string };
          return replyValue(req, { id, title: `track ${id}` });
        }
        case 'playlist.add':
          return replyValue(req, { added: true });
        case 'playlist.count':
          return replyValue(req, 3);
        default:
          return replyStatus(req, Status.NOT_FOUND, `no method ${req.method}`);
      }
    }),
  );
  return server;
}

describe('createClient()', () => {
  it('calls every method of the definition and decodes the replies', async () => {
    const server = await playlistServer();
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    expect(await client.get({ id: '7' })).toEqual({ id: '7', title: 'track 7' });
    expect(await client.add({ id: '8', title: 'eight' })).toEqual({ added: true });
    expect(await client.count()).toBe(3);
    expect(server.requests.map((r) => r.method)).toEqual(['playlist.get', 'playlist.add', 'playlist.count']);
    expect(inputOf(server.requests[1]!)).toEqual({ id: '8', title: 'eight' });
    expect(server.requests[2]!.body).toEqual([]);
  });

  it('lists only the methods as enumerable keys; the controls are $-prefixed', async () => {
    const server = await playlistServer();
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    expect(Object.keys(client).sort()).toEqual(['add', 'count', 'get']);
    expect(client.$service).toBe('playlist');
    await client.get({ id: '1' });
    expect(client.$state).toBe('ready');
    expect(client.$endpoints()).toEqual([{ endpoint: server.endpoint, state: 'alive', inflight: 0 }]);
  });

  it('throws the typed error of a reply status, with details, and the stack of the caller', async () => {
    const server = cleanup.add(
      await startServer((req) => replyStatus(req, Status.NOT_FOUND, 'no track 42', { id: '42' })),
    );
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));

    async function fetchMissingTrack() {
      const track = await client.get({ id: '42' });
      return track;
    }
    const err = await fetchMissingTrack().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toBeInstanceOf(CourierError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'no track 42', details: { id: '42' } });
    expect((err as Error).stack).toContain('fetchMissingTrack');
  });

  it('rejects an input MessagePack cannot encode with BadRequestError, sending nothing', async () => {
    const server = await playlistServer();
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    const input = { id: Symbol('not encodable') } as unknown as { id: string };
    await expect(client.get(input)).rejects.toBeInstanceOf(BadRequestError);
    expect(server.count()).toBe(0);
  });

  it('sends the caller name and the deadline with every call', async () => {
    const server = await playlistServer();
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        caller: 'tests',
        deadlineMs: 700,
      }),
    );
    await client.get({ id: '1' });
    await client.get({ id: '2' }, { deadlineMs: 9000, meta: { traceparent: 't' } });
    const [first, second] = server.requests;
    expect(first!.meta).toEqual({ caller: 'tests' });
    expect(first!.deadlineMs).toBeLessThanOrEqual(700);
    expect(second!.meta).toEqual({ caller: 'tests', traceparent: 't' });
    expect(second!.deadlineMs).toBeGreaterThan(700);
  });

  it('settles calls in flight with CancelledError on $close, and fails later calls with UnavailableError', async () => {
    const server = cleanup.add(await startServer(() => {}));
    const client = createClient(playlist, { endpoints: [server.endpoint], transport: FAST });
    const pending = client.get({ id: '1' }).catch((e: unknown) => e);
    await waitUntil(() => server.count() === 1, 'the request to arrive');
    await client.$close();
    expect(await pending).toBeInstanceOf(CancelledError);
    await expect(client.get({ id: '2' })).rejects.toThrow(UnavailableError);
    expect(client.$state).toBe('closed');
  });

  it('refuses a definition with a method the client API needs, and bad options', () => {
    // defineService refuses these names already; a hand-built definition meets the client's own check.
    for (const name of ['withDefaults', 'then']) {
      const clash = { ...playlist, methods: { [name]: playlist.methods.get } };
      expect(() => createClient(clash, { endpoints: [] })).toThrow(
        expect.objectContaining({ code: 'ERR_COURIER_MEMBER_NAME' }),
      );
    }
    expect(() => createClient(playlist, {})).toThrow(ClientConfigError);
    expect(() => createClient(playlist, { endpoints: [], deadlineMs: 0 })).toThrow(ClientConfigError);
    expect(() => createClient(playlist, { endpoints: [], retry: { maxAttempts: 0 } })).toThrow(
      ClientConfigError,
    );
    expect(() => createClient(playlist, { endpoints: ['nonsense'] })).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_INVALID_ENDPOINT' }),
    );
  });
});

describe('withDefaults()', () => {
  it('narrows the deadline: the stricter of the view and the call wins', async () => {
    const server = await playlistServer();
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    const view = client.withDefaults({ deadlineMs: 100 });
    await view.get({ id: '1' });
    await view.get({ id: '2' }, { deadlineMs: 60_000 });
    await view.get({ id: '3' }, { deadlineMs: 40 });
    await client.withDefaults({ deadline: performance.now() + 80 }).get({ id: '4' }, { deadlineMs: 60_000 });
    await view.withDefaults({ deadlineMs: 1000 }).get({ id: '5' });
    const deadlines = server.requests.map((r) => r.deadlineMs);
    expect(deadlines[0]).toBeLessThanOrEqual(100);
    expect(deadlines[1]).toBeLessThanOrEqual(100);
    expect(deadlines[2]).toBeLessThanOrEqual(40);
    expect(deadlines[3]).toBeLessThanOrEqual(80);
    expect(deadlines[4]).toBeLessThanOrEqual(100);
  });

  it('merges metadata, later values winning per key', async () => {
    const server = await playlistServer();
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, caller: 'tests' }),
    );
    const view = client
      .withDefaults({ meta: { traceparent: 'a', tenant: 'x' } })
      .withDefaults({ meta: { traceparent: 'b' } });
    await view.get({ id: '1' }, { meta: { extra: 'y' } });
    expect(server.requests[0]!.meta).toEqual({ caller: 'tests', traceparent: 'b', tenant: 'x', extra: 'y' });
  });

  it("cancels the view's calls when its signal aborts, and the server sees the cancel", async () => {
    const server = cleanup.add(await startServer(() => {}));
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    const request = new AbortController();
    const call = new AbortController();
    const pending = client.withDefaults({ signal: request.signal }).get({ id: '1' }, { signal: call.signal });
    await waitUntil(() => server.count() === 1, 'the request to arrive');
    request.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    await waitUntil(() => server.requests[0]!.signal.aborted, 'the server to see the cancel');
    expect(call.signal.aborted).toBe(false);
  });

  it('shares the connections of the client it came from', async () => {
    const release = deferred();
    const server = cleanup.add(
      await startServer((req) => void release.promise.then(() => replyValue(req, 1))),
    );
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    const view = client.withDefaults({ deadlineMs: 5000 });
    const pending = view.count();
    await waitUntil(() => server.count() === 1, 'the request to arrive');
    expect(client.$endpoints()[0]!.inflight).toBe(1);
    release.resolve();
    expect(await pending).toBe(1);
    expect(server.transport.peerCount).toBe(1);
  });
});
