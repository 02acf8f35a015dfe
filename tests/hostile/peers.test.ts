import { Command, TransportServer } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { is, RawPeer, Teardown, uniqueAddress, waitFor } from '../transport/helpers.js';

/**
 * Finding 6 of issue #12: a peer that advertises a huge heartbeat interval and
 * goes away stayed a peer for liveness x that interval (3 hours for 3,600,000
 * ms), and 10,000 of them kept an idle server busy failing heartbeat sends.
 * The advertised interval is now clamped to maxPeerHeartbeatIntervalMs, a
 * peer whose connection is gone is dropped at the first send that finds it
 * unroutable, and the peers are capped at maxPeers.
 */
describe('ghost peers (issue #12, finding 6)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('clamps an advertised hour to the maximum, so vanished peers are dropped within liveness x maximum', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('inproc'),
        heartbeatIntervalMs: 20,
        heartbeatLiveness: 3,
        maxPeerHeartbeatIntervalMs: 40,
        onRequest: (req) => req.reply({ status: 200 }),
      }),
      (s) => s.close(),
    );
    const ghosts = Array.from({ length: 20 }, () =>
      teardown.add(RawPeer.dealer(server.endpoints[0]!), (g) => g.close()),
    );
    for (const g of ghosts) {
      await g.send([{ cmd: Command.HEARTBEAT, intervalMs: 3_600_000, liveness: 3, draining: false }]);
    }
    await waitFor(() => server.peerCount === ghosts.length, 'every ghost to become a peer');
    // They go quiet (closed without DISCONNECT): only the clamp can expire them.
    for (const g of ghosts) await g.close();
    await waitFor(() => server.peerCount === 0, 'the ghosts to be declared dead', 5_000);
    expect(server.peerCount).toBe(0);
  });

  it('drops 1,000 vanished ghosts at their first unroutable heartbeat, not after liveness x the clamp', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        heartbeatIntervalMs: 100,
        // Liveness alone would keep them for 3 x 30 s.
        maxPeerHeartbeatIntervalMs: 30_000,
        onRequest: (req) => req.reply({ status: 200 }),
      }),
      (s) => s.close(),
    );
    const GHOSTS = 1000;
    for (let wave = 0; wave < GHOSTS / 200; wave++) {
      const ghosts = Array.from({ length: 200 }, () => RawPeer.dealer(server.endpoints[0]!));
      for (const g of ghosts) {
        await g.send([{ cmd: Command.HEARTBEAT, intervalMs: 3_600_000, liveness: 3, draining: false }]);
      }
      await Promise.all(ghosts.map((g) => g.next(is.heartbeat, 'the answer to first contact')));
      for (const g of ghosts) await g.close();
    }
    expect(server.peerCount).toBeGreaterThan(0);
    await waitFor(() => server.peerCount === 0, 'the ghosts to be dropped as unroutable', 20_000);
  });

  it('answers peer maxPeers + 1 with UNAVAILABLE TOO_MANY_PEERS and a DISCONNECT, and serves it once a peer leaves', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('inproc'),
        maxPeers: 3,
        onRequest: (req) => req.reply({ status: 200 }),
      }),
      (s) => s.close(),
    );
    const call = (id: number) => ({
      cmd: Command.REQUEST,
      id,
      method: 'peers.call',
      deadlineMs: 5000,
      meta: undefined,
      contentType: undefined,
      body: [],
    });
    const peers = Array.from({ length: 4 }, () =>
      teardown.add(RawPeer.dealer(server.endpoints[0]!), (g) => g.close()),
    );
    for (const p of peers.slice(0, 3)) {
      await p.send([call(1)]);
      expect((await p.next(is.reply(1), 'a reply')).packet.status).toBe(200);
    }
    const extra = peers[3]!;
    await extra.send([call(1)]);
    const { packet } = await extra.next(is.reply(1), 'the refusal');
    expect(packet).toMatchObject({ status: 503, details: { code: 'TOO_MANY_PEERS' } });
    await extra.next(is.disconnect, 'the DISCONNECT');
    expect(server.peerCount).toBe(3);
    // One leaves: the newcomer is served.
    await peers[0]!.send([{ cmd: Command.DISCONNECT, reason: 'bye' }]);
    await waitFor(() => server.peerCount === 2, 'the peer to leave');
    await extra.send([call(2)]);
    expect((await extra.next(is.reply(2), 'a reply')).packet.status).toBe(200);
  });
});
