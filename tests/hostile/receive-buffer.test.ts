import { readFileSync } from 'node:fs';
import { Command, type Packet, Status, TransportServer } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { is, RawPeer, Teardown, uniqueAddress } from '../transport/helpers.js';

/**
 * Finding 5 of issue #12, receipt: while the event loop was busy, libzmq
 * buffered 120 messages of 16 MiB (+1.8 GB) for one server, because only its
 * 10,000-message ZMQ_RCVHWM applied. The server's RCVHWM is now derived from
 * receiveBufferBytes (64 MiB) over maxFrameBytes: 3 messages at the defaults,
 * and the rest wait in the sender's queue and the kernel, not in our memory.
 */
const MiB = 1024 * 1024;

function rssMiB(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

/** Blocks this thread for `ms`, as a long synchronous handler would, returning the highest RSS seen. */
function busy(ms: number): number {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let peak = rssMiB();
  for (const end = Date.now() + ms; Date.now() < end; ) {
    Atomics.wait(cell, 0, 0, 25);
    peak = Math.max(peak, rssMiB());
  }
  return peak;
}

describe('receive buffering in bytes (issue #12, finding 5)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('keeps what libzmq buffers for a peer to a few messages while the loop is busy: 40 x 15 MiB do not land in memory', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        onRequest: (req) => req.reply({ status: Status.OK }),
      }),
      (s) => s.close(),
    );
    const peer = teardown.add(RawPeer.dealer(server.endpoints[0]!), (p) => p.close());
    // One buffer for all: zeromq.js sends it without copying, so the sender holds 15 MiB, not 600.
    const body = Buffer.alloc(15 * MiB, 7);
    const request = (id: number): Packet => ({
      cmd: Command.REQUEST,
      id,
      method: 'big.call',
      deadlineMs: 60_000,
      meta: undefined,
      contentType: undefined,
      body: [body],
    });
    await peer.send([request(1)]);
    await peer.next(is.reply(1), 'the first reply');
    const before = rssMiB();
    const N = 40;
    for (let id = 2; id <= N + 1; id++) await peer.send([request(id)]);
    const peak = busy(2500);
    // Before the fix +259 MiB in this test (libzmq took messages as fast as TCP gave them); now +32.
    expect(peak - before).toBeLessThan(120);
    // Nothing was lost: back-pressure, not drops.
    await peer.next(is.reply(N + 1), 'the last reply', 30_000);
    expect(
      peer
        .packets()
        .filter(is.reply())
        .every((r) => r.status === Status.OK),
    ).toBe(true);
    expect(peer.packets().filter(is.reply())).toHaveLength(N + 1);
  });
});
