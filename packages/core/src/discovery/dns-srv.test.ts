import { Resolver } from 'node:dns/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dnsSrv } from './dns-srv.js';
import { DnsServer } from './fixtures/dns-server.js';

const NAME = '_courier._tcp.playlist.default.svc.cluster.local';

describe('dnsSrv()', () => {
  let dns: DnsServer;
  let resolver: Resolver;

  beforeEach(async () => {
    dns = await new DnsServer().start();
    resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.address]);
  });
  afterEach(async () => {
    await dns.close();
  });

  it('turns SRV records into tcp:// endpoints, sorted and without duplicates', async () => {
    dns.set(NAME, [
      { target: 'pod-b.playlist.default.svc.cluster.local', port: 7001 },
      { target: 'pod-a.playlist.default.svc.cluster.local', port: 7001, priority: 10, weight: 5 },
      { target: 'pod-b.playlist.default.svc.cluster.local', port: 7001 },
    ]);
    const discovery = dnsSrv(NAME, { resolver, refreshMs: 1234 });
    expect(discovery.refreshMs).toBe(1234);
    expect(await discovery.resolve()).toEqual([
      'tcp://pod-a.playlist.default.svc.cluster.local:7001',
      'tcp://pod-b.playlist.default.svc.cluster.local:7001',
    ]);
  });

  it('resolves a name without records, or an unknown name, to no endpoints', async () => {
    dns.set(NAME, []);
    expect(await dnsSrv(NAME, { resolver }).resolve()).toEqual([]);
    expect(await dnsSrv('_courier._tcp.gone.default.svc.cluster.local', { resolver }).resolve()).toEqual([]);
  });

  it('rejects when the DNS server fails, so the client keeps what it had', async () => {
    dns.set(NAME, [{ target: 'pod-a', port: 1 }]);
    dns.failing = true;
    await expect(dnsSrv(NAME, { resolver }).resolve()).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('rejects when the DNS server cannot be reached', async () => {
    const dead = new Resolver({ timeout: 100, tries: 1 });
    dead.setServers([dns.address]);
    await dns.close();
    await expect(dnsSrv(NAME, { resolver: dead }).resolve()).rejects.toMatchObject({
      code: expect.any(String),
    });
  });
});
