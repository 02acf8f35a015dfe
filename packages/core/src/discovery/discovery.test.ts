import diagnosticsChannel from 'node:diagnostics_channel';
import { Resolver } from 'node:dns/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, deferred, waitUntil } from '../client/fixtures/helpers.js';
import { FAST, playlist } from '../client/fixtures/playlist.js';
import { replyValue, startServer, type TestServer } from '../client/fixtures/test-server.js';
import { type ClientEndpointState, CoreChannels, createClient, UnavailableError } from '../index.js';
import { dnsSrv } from './dns-srv.js';
import { DnsServer } from './fixtures/dns-server.js';
import { staticEndpoints } from './static.js';

const NAME = '_courier._tcp.playlist.default.svc.cluster.local';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The SRV answer for a test server: its port, with 127.0.0.1 as the target name. */
function srv(server: TestServer) {
  return { target: '127.0.0.1', port: Number(new URL(server.endpoint).port) };
}

async function resolverFor(dns: DnsServer): Promise<Resolver> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([dns.address]);
  return resolver;
}

describe('DNS SRV discovery', () => {
  it('follows the SRV answers: adds new endpoints, drains and closes vanished ones', async () => {
    const dns = cleanup.add(await new DnsServer().start());
    const release = deferred();
    let holding = false;
    const handler = (req: Parameters<typeof replyValue>[0]) => {
      if (holding) void release.promise.then(() => replyValue(req, 7));
      else replyValue(req, 7);
    };
    const [a, b, c] = await Promise.all([0, 1, 2].map(async () => cleanup.add(await startServer(handler))));
    const events: ClientEndpointState[] = [];
    const onEvent = (message: unknown) => events.push(message as ClientEndpointState);
    diagnosticsChannel.subscribe(CoreChannels.clientEndpoint, onEvent);
    cleanup.defer(() => diagnosticsChannel.unsubscribe(CoreChannels.clientEndpoint, onEvent));

    dns.set(NAME, [srv(a!), srv(b!)]);
    const client = cleanup.add(
      createClient(playlist, {
        discovery: dnsSrv(NAME, { resolver: await resolverFor(dns), refreshMs: 20 }),
        transport: FAST,
      }),
    );
    // The first call waits for discovery and a live endpoint.
    expect(await client.count()).toBe(7);
    const endpoints = () =>
      client
        .$endpoints()
        .map((e) => e.endpoint)
        .sort();
    expect(endpoints()).toEqual([a!.endpoint, b!.endpoint].sort());

    // A call in flight on `a` when `a` leaves the answer still completes.
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'both alive');
    holding = true;
    const inFlight = Array.from({ length: 4 }, () => client.count());
    await waitUntil(() => a!.count() + b!.count() === 5, 'calls to arrive');
    expect(a!.count()).toBeGreaterThan(0);
    dns.set(NAME, [srv(b!), srv(c!)]);
    await waitUntil(() => endpoints().join() === [b!.endpoint, c!.endpoint].sort().join(), 'a replaced by c');
    expect(a!.transport.peerCount).toBe(1);
    release.resolve();
    expect(await Promise.all(inFlight)).toEqual([7, 7, 7, 7]);
    // Drained, then closed: the client said goodbye to `a`.
    await waitUntil(() => a!.transport.peerCount === 0, 'a to see the client leave');
    expect(events).toContainEqual({ service: 'playlist', endpoint: a!.endpoint, state: 'removed' });

    holding = false;
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'b and c alive');
    const before = a!.count();
    for (let i = 0; i < 10; i++) await client.count();
    expect(a!.count()).toBe(before);
    expect(b!.count() + c!.count()).toBeGreaterThanOrEqual(10);
  });

  it('keeps the endpoints it has when DNS stops answering', async () => {
    const dns = cleanup.add(await new DnsServer().start());
    const a = cleanup.add(await startServer());
    dns.set(NAME, [srv(a)]);
    const client = cleanup.add(
      createClient(playlist, {
        discovery: dnsSrv(NAME, { resolver: await resolverFor(dns), refreshMs: 20 }),
        transport: FAST,
      }),
    );
    await client.get({ id: '1' });
    dns.failing = true;
    const queries = dns.queries;
    await waitUntil(() => dns.queries >= queries + 3, 'a few refreshes to fail');
    expect(client.$endpoints().map((e) => e.endpoint)).toEqual([a.endpoint]);
    expect(await client.get({ id: '2' })).toEqual({ id: '2' });
  });
});

describe('discovery', () => {
  it('works with staticEndpoints', async () => {
    const a = cleanup.add(await startServer());
    const client = cleanup.add(
      createClient(playlist, { discovery: staticEndpoints([a.endpoint]), transport: FAST }),
    );
    expect(await client.get({ id: '1' })).toEqual({ id: '1' });
  });

  it('fails calls with UnavailableError saying why when discovery fails', async () => {
    const client = cleanup.add(
      createClient(playlist, {
        discovery: { resolve: () => Promise.reject(new Error('no DNS today')) },
        transport: FAST,
      }),
    );
    await expect(client.get({ id: '1' }, { deadlineMs: 60_000 })).rejects.toThrow(UnavailableError);
    await expect(client.get({ id: '1' })).rejects.toThrow(/discovery failed: no DNS today/);
  });
});
