import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { is, RawPeer, Teardown, uniqueAddress, waitFor } from '../../../tests/transport/helpers.js';
import { Command } from './protocol/constants.js';
import type { Packet } from './protocol/envelope.js';
import { TransportServer } from './server.js';

const INTERVAL = 100;
const hello: Packet = { cmd: Command.HEARTBEAT, intervalMs: 60_000, liveness: 3, draining: false };

describe("the server's heartbeats after an introduction", () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  // docs/protocol.md 9.1 rule 1: a HEARTBEAT only after a quiet interval, and
  // the introduction's answer is traffic like any other. The reference
  // implementation may send at 0.9 x interval. A timer never fires early, so
  // this lower bound holds however slow the machine. Each peer introduces
  // itself half an interval after a tick (the previous peer's heartbeat), so
  // a server that heartbeats on its next tick would answer half an interval
  // later: the pause positions the introduction, it synchronises nothing.
  it('sends the next HEARTBEAT no sooner than 0.9 x interval after the answer', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        heartbeatIntervalMs: INTERVAL,
        onRequest: () => {},
      }),
      (s) => s.close(),
    );
    for (let i = 0; i < 5; i++) {
      const peer = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
      const arrivals: number[] = [];
      peer.respond = (message) => {
        if (message.packets.some(is.heartbeat)) arrivals.push(performance.now());
        return undefined;
      };
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));
      await peer.send([hello]);
      await peer.next(is.heartbeat, 'the answer to the introduction');
      await waitFor(() => arrivals.length >= 2, 'a second heartbeat');
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(INTERVAL * 0.9 - 1);
    }
  });
});
