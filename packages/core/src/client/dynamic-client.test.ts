import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientConfigError, createDynamicClient, NotFoundError } from '../index.js';
import { Cleanup } from './fixtures/helpers.js';
import { FAST } from './fixtures/playlist.js';
import { inputOf, replyStatus, replyValue, startServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function server() {
  let flaky = 0;
  return cleanup.add(
    await startServer((req) => {
      switch (req.method) {
        case 'playlist._describe':
          return replyValue(req, { name: 'playlist', version: 1, methods: { get: {} } });
        case '_describe':
          return replyValue(req, { name: 'bare', version: 1, methods: {} });
        case '_health':
        case 'playlist._health':
          return replyValue(req, { status: 'serving' });
        case 'playlist.get':
          return replyValue(req, { echo: inputOf(req) });
        case 'playlist.flaky':
          return ++flaky <= 2 ? replyStatus(req, Status.UNAVAILABLE, 'once') : replyValue(req, flaky);
        default:
          return replyStatus(req, Status.NOT_FOUND, `no method ${req.method}`);
      }
    }),
  );
}

describe('createDynamicClient()', () => {
  it('calls methods by name and returns what the server sent', async () => {
    const s = await server();
    const client = cleanup.add(createDynamicClient('playlist', { endpoints: [s.endpoint], transport: FAST }));
    expect(await client.call('get', { id: '1' })).toEqual({ echo: { id: '1' } });
    await expect(client.call('nope')).rejects.toBeInstanceOf(NotFoundError);
    expect(client.$service).toBe('playlist');
  });

  it('calls the built-in _describe and _health', async () => {
    const s = await server();
    const client = cleanup.add(createDynamicClient('playlist', { endpoints: [s.endpoint], transport: FAST }));
    expect(await client.describe()).toEqual({ name: 'playlist', version: 1, methods: { get: {} } });
    expect(await client.health()).toEqual({ status: 'serving' });
    expect(s.requests.map((r) => r.method)).toEqual(['playlist._describe', 'playlist._health']);
  });

  it('without a service, calls service.method and the bare built-ins', async () => {
    const s = await server();
    const client = cleanup.add(createDynamicClient(null, { endpoints: [s.endpoint], transport: FAST }));
    expect(await client.call('playlist.get', { id: '2' })).toEqual({ echo: { id: '2' } });
    expect(await client.describe()).toEqual({ name: 'bare', version: 1, methods: {} });
    expect(await client.health()).toEqual({ status: 'serving' });
    expect(s.requests.map((r) => r.method)).toEqual(['playlist.get', '_describe', '_health']);
  });

  it('retries calls the server refused, idempotent or not', async () => {
    const s = await server();
    const client = cleanup.add(
      createDynamicClient('playlist', {
        endpoints: [s.endpoint],
        transport: FAST,
        retry: { initialBackoffMs: 1 },
      }),
    );
    expect(await client.call('flaky')).toBe(3);
    expect(s.count('playlist.flaky')).toBe(3);
  });

  it('has views like a typed client', async () => {
    const s = await server();
    const client = cleanup.add(
      createDynamicClient('playlist', { endpoints: [s.endpoint], transport: FAST, caller: 'cli' }),
    );
    await client.withDefaults({ meta: { traceparent: 't' }, deadlineMs: 50 }).call('get');
    expect(s.requests[0]!.meta).toEqual({ caller: 'cli', traceparent: 't' });
    expect(s.requests[0]!.deadlineMs).toBeLessThanOrEqual(50);
  });

  it('refuses an invalid service name', () => {
    expect(() => createDynamicClient('Not A Service', { endpoints: [] })).toThrow(ClientConfigError);
  });
});
