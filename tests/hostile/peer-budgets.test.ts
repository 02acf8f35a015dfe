import {
  Command,
  type IncomingRequest,
  type RequestPacket,
  Status,
  TransportServer,
} from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { is, RawPeer, Teardown, uniqueAddress, waitFor } from '../transport/helpers.js';

/**
 * Finding 5 of issue #12, per peer: one peer could hold as many request
 * bytes as the whole server allows, and a reply queue had no byte bound. Now
 * a peer's request bytes in flight stop at maxPeerInflightBytes (OVERLOADED
 * PEER_BUDGET, while another peer is still served), and replies queued for
 * one peer stop at maxPeerSendQueueBytes (OVERLOADED SEND_QUEUE_FULL).
 */
const MiB = 1024 * 1024;

function request(id: number, bytes: number): RequestPacket {
  return {
    cmd: Command.REQUEST,
    id,
    method: 'budget.hold',
    deadlineMs: 10_000,
    meta: undefined,
    contentType: undefined,
    body: [Buffer.alloc(bytes, id)],
  };
}

describe('per-peer byte bounds (issue #12, finding 5)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('refuses a request past maxPeerInflightBytes with OVERLOADED, serves other peers, and admits again once replied', async () => {
    const held: IncomingRequest[] = [];
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('inproc'),
        maxPeerInflightBytes: 3.5 * MiB,
        onRequest: (req) => {
          if (req.method === 'budget.hold') held.push(req);
          else req.reply({ status: Status.OK });
        },
      }),
      (s) => s.close(),
    );
    const greedy = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
    const other = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
    await greedy.send([request(1, MiB), request(2, MiB), request(3, MiB), request(4, MiB)]);
    const { packet: refused } = await greedy.next(is.reply(4), 'the refusal of the 4th MiB');
    expect(refused).toMatchObject({ status: Status.OVERLOADED, details: { code: 'PEER_BUDGET' } });
    // The bound is per peer: another peer's MiB is taken, and a probe answered.
    await other.send([request(1, MiB), { ...request(2, 0), method: 'budget.probe' }]);
    expect((await other.next(is.reply(2), 'the probe')).packet.status).toBe(Status.OK);
    expect(held).toHaveLength(4);
    expect(server.inflight).toBe(4);
    // Replied ones leave the budget: the greedy peer gets room for another MiB.
    for (const req of held.splice(0)) req.reply({ status: Status.OK });
    await greedy.send([request(5, MiB)]);
    await other.next(is.reply(1), 'the other peer reply');
    await waitFor(() => held.length === 1, 'the 5th MiB to be admitted');
    expect(held[0]!.id).toBe(5);
    held[0]!.reply({ status: Status.OK });
    expect((await greedy.next(is.reply(5), 'the 5th MiB')).packet.status).toBe(Status.OK);
  });

  it('replaces a reply past maxPeerSendQueueBytes with OVERLOADED SEND_QUEUE_FULL, and queues again once sent', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('inproc'),
        maxPeerSendQueueBytes: 3.5 * MiB,
        // Every reply in one loop turn waits in the queue together.
        onRequest: (req) => req.reply({ status: Status.OK, body: [Buffer.alloc(MiB)] }),
      }),
      (s) => s.close(),
    );
    const peer = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
    await peer.send([1, 2, 3, 4, 5].map((id) => request(id, 0)));
    await peer.next(is.reply(5), 'the 5th reply');
    const replies = peer.packets().filter(is.reply());
    expect(replies.map((r) => [r.id, r.status, r.body.length])).toEqual([
      [1, Status.OK, 1],
      [2, Status.OK, 1],
      [3, Status.OK, 1],
      [4, Status.OVERLOADED, 0],
      [5, Status.OVERLOADED, 0],
    ]);
    expect(replies[3]).toMatchObject({ details: { code: 'SEND_QUEUE_FULL' } });
    await peer.send([request(6, 0)]);
    expect((await peer.next(is.reply(6), 'a reply once the queue drained')).packet.status).toBe(Status.OK);
  });
});
