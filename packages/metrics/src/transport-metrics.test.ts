import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { publish } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();

describe('transport metrics', () => {
  it('counts bytes in and out, missed heartbeats and dropped messages by reason, per side', async () => {
    const metrics = create();
    publish.bytes({ side: 'server', direction: 'in', bytes: 100 });
    publish.bytes({ side: 'server', direction: 'in', bytes: 28 });
    publish.bytes({ side: 'server', direction: 'out', bytes: 64 });
    publish.bytes({ side: 'client', direction: 'out', bytes: 128 });
    publish.heartbeatMissed({ side: 'client', peer: 'tcp://127.0.0.1:5555' });
    publish.heartbeatMissed({ side: 'client', peer: 'tcp://127.0.0.1:5555' });
    publish.dropped({ side: 'server', reason: 'NOT_COURIER' });
    publish.dropped({ side: 'server', reason: 'NOT_COURIER' });
    publish.dropped({ side: 'server', reason: 'DUPLICATE_ID' });

    const x = await scrape(metrics);
    expect(x.value(N.transportReceivedBytes, { side: 'server' })).toBe(128);
    expect(x.value(N.transportSentBytes, { side: 'server' })).toBe(64);
    expect(x.value(N.transportSentBytes, { side: 'client' })).toBe(128);
    expect(x.value(N.transportReceivedBytes, { side: 'client' })).toBe(0);
    expect(x.value(N.transportHeartbeatsMissed, { side: 'client' })).toBe(2);
    expect(x.value(N.transportHeartbeatsMissed, { side: 'server' })).toBe(0);
    expect(x.value(N.transportDropped, { side: 'server', reason: 'NOT_COURIER' })).toBe(2);
    expect(x.value(N.transportDropped, { side: 'server', reason: 'DUPLICATE_ID' })).toBe(1);
  });

  it('counts connected peers from state changes, per socket', async () => {
    const metrics = create();
    const peer = (side: 'server' | 'client', id: string, from: string, to: string) =>
      publish.peer({ side, peer: id, from, to });
    peer('server', 'aa01', 'unknown', 'alive');
    peer('server', 'aa02', 'unknown', 'alive');
    peer('client', 'tcp://127.0.0.1:1', 'connecting', 'alive');
    // A second client socket in this process to the same server.
    peer('client', 'tcp://127.0.0.1:1', 'connecting', 'alive');
    peer('client', 'tcp://127.0.0.1:1', 'alive', 'draining');

    let x = await scrape(metrics);
    expect(x.value(N.transportPeers, { side: 'server' })).toBe(2);
    expect(x.value(N.transportPeers, { side: 'client' })).toBe(2);

    peer('server', 'aa01', 'alive', 'gone');
    peer('client', 'tcp://127.0.0.1:1', 'draining', 'dead');
    // A peer that connected before metrics subscribed cannot go below zero.
    peer('server', 'ffff', 'alive', 'dead');
    x = await scrape(metrics);
    expect(x.value(N.transportPeers, { side: 'server' })).toBe(1);
    expect(x.value(N.transportPeers, { side: 'client' })).toBe(1);
  });
});
