import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientEndpointState, CoreChannels, createClient, UnavailableError } from '../index.js';
import { Cleanup, seededRandom, waitUntil } from './fixtures/helpers.js';
import { DIES_FAST, FAST, playlist } from './fixtures/playlist.js';
import { startRestartableServer, startServer, type TestServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

type Client = ReturnType<typeof createClient<typeof playlist>>;

function stateOf(client: Client, server: TestServer): string | undefined {
  return client.$endpoints().find((e) => e.endpoint === server.endpoint)?.state;
}

async function callMany(client: Client, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await client.get({ id: String(i) });
}

describe('endpoint availability', () => {
  it('skips draining and dead endpoints, and uses them again once they are back', async () => {
    const a = cleanup.add(await startRestartableServer());
    const [b, c] = await Promise.all([0, 1].map(async () => cleanup.add(await startServer())));
    const events: ClientEndpointState[] = [];
    const onEvent = (message: unknown) => events.push(message as ClientEndpointState);
    diagnosticsChannel.subscribe(CoreChannels.clientEndpoint, onEvent);
    cleanup.defer(() => diagnosticsChannel.unsubscribe(CoreChannels.clientEndpoint, onEvent));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [a.endpoint, b!.endpoint, c!.endpoint],
        transport: DIES_FAST,
        random: seededRandom(5),
      }),
    );
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'all endpoints alive');

    b!.drain();
    await waitUntil(() => stateOf(client, b!) === 'draining', 'b draining');
    const beforeB = b!.count();
    await callMany(client, 20);
    expect(b!.count()).toBe(beforeB);

    await a.close();
    await waitUntil(() => stateOf(client, a) === 'dead', 'a dead');
    const beforeC = c!.count();
    await callMany(client, 10);
    expect(c!.count()).toBe(beforeC + 10);

    await a.start();
    await waitUntil(() => stateOf(client, a) === 'alive', 'a alive again');
    const beforeA = a.count();
    await callMany(client, 20);
    expect(a.count()).toBeGreaterThan(beforeA);

    const seen = events.filter((e) => e.endpoint === a.endpoint).map((e) => e.state);
    expect(seen).toEqual(expect.arrayContaining(['alive', 'dead']));
    expect(events.every((e) => e.service === 'playlist')).toBe(true);
  });

  it('fails at once with UnavailableError when no endpoint is usable, saying why', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    await client.get({ id: '1' });
    server.drain();
    await waitUntil(() => client.$state === 'unavailable', 'the client to see no usable endpoint');
    const err = await client.get({ id: '2' }, { deadlineMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain(`${server.endpoint} draining`);
  });

  it('holds the first calls until an endpoint answers, then sends them there', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    expect(client.$state).toBe('connecting');
    expect(await client.get({ id: '1' })).toEqual({ id: '1' });
    expect(client.$state).toBe('ready');
  });

  it('fails waiting calls with UnavailableError once endpoints that never answered are declared dead', async () => {
    // Port 1 is privileged and unused: connections are refused, so the endpoint never answers.
    const client = cleanup.add(
      createClient(playlist, { endpoints: ['tcp://127.0.0.1:1'], transport: DIES_FAST }),
    );
    const err = await client.get({ id: '1' }, { deadlineMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(client.$endpoints()[0]!.state).toBe('dead');
  });

  it('with no endpoints at all, fails with UnavailableError', async () => {
    const client = cleanup.add(createClient(playlist, { endpoints: [], transport: FAST }));
    expect(client.$state).toBe('unavailable');
    await expect(client.get({ id: '1' })).rejects.toThrow(/no endpoints for service playlist/);
  });
});
