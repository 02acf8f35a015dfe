import { Command, TransportServer } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { RawPeer, Teardown, uniqueAddress, waitFor } from '../transport/helpers.js';

/**
 * Finding 6 of issue #12: a peer that advertises a huge heartbeat interval and
 * goes away stayed a peer for liveness x that interval (3 hours for 3,600,000
 * ms). The advertised interval is now clamped to maxPeerHeartbeatIntervalMs.
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
});
