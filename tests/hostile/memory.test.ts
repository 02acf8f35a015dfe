import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Command, encodeMessage, Status, TransportServer } from '@courier/transport';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { garbageArb } from '../transport/arbitraries.js';
import { Teardown, uniqueAddress } from '../transport/helpers.js';

/**
 * Findings 5 and 7 of issue #12: under junk traffic RSS grew by 200-740 MB
 * and stayed there. The cause was libzmq's receive queue of 10,000 messages
 * per connection, filled faster than the server decodes junk (a plain
 * zeromq.js echo server with that setting grows the same way; see
 * benchmarks/RESULTS.md, bench:rss). With the queue bounded in bytes, two
 * bursts of large and hostile traffic from connections that come and go
 * leave RSS bounded, the second no higher than the first, and the external
 * memory is given back once collected.
 *
 * HOSTILE_MEMORY_SECONDS (default 4) sets the length of each burst.
 */
const SECONDS = Number(process.env.HOSTILE_MEMORY_SECONDS ?? 4);
const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function rssMiB(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

const junk = [
  ...fc.sample(garbageArb, { numRuns: 2000, seed: 7 }),
  ...Array.from({ length: 20 }, (_, i) =>
    encodeMessage([
      {
        cmd: Command.REQUEST,
        id: i + 1,
        method: 'memory.big',
        deadlineMs: 10_000,
        meta: undefined,
        contentType: undefined,
        body: [Buffer.alloc(MiB, i)],
      },
    ]),
  ),
];

/** Sends junk from 6 connections, each replaced every 300 ms, for `seconds`; returns the highest RSS seen. */
async function burst(endpoint: string, seconds: number): Promise<number> {
  let peak = rssMiB();
  const end = Date.now() + seconds * 1000;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB());
  }, 50);
  await Promise.all(
    Array.from({ length: 6 }, async (_, w) => {
      let n = w * 331;
      while (Date.now() < end) {
        const sock = new zmq.Dealer({ linger: 0, sendHighWaterMark: 1000 });
        sock.connect(endpoint);
        const drain = (async () => {
          for await (const _ of sock);
        })().catch(() => {});
        for (const until = Math.min(end, Date.now() + 300); Date.now() < until; ) {
          await sock.send(junk[n++ % junk.length]!).catch(() => {});
          if (n % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        sock.close();
        await drain;
      }
    }),
  );
  clearInterval(sampler);
  return Math.max(peak, rssMiB());
}

describe('memory under sustained large and hostile traffic (issue #12, findings 5 and 7)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('keeps RSS bounded across two bursts and gives the external memory back', async () => {
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        ...(!process.env.HOSTILE_MEMORY_RCVHWM
          ? {}
          : { receiveHighWaterMark: Number(process.env.HOSTILE_MEMORY_RCVHWM) }),
        onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
      }),
      (s) => s.close(),
    );
    gc();
    const base = rssMiB();
    const external = process.memoryUsage().external;
    const first = await burst(server.endpoints[0]!, SECONDS);
    const second = await burst(server.endpoints[0]!, SECONDS);
    gc();
    const after = rssMiB();
    const externalAfter = process.memoryUsage().external;
    console.log(
      `RSS MiB: base ${base.toFixed(0)}, burst 1 peak ${first.toFixed(0)}, burst 2 peak ${second.toFixed(0)}, after ${after.toFixed(0)}; external +${((externalAfter - external) / MiB).toFixed(1)} MiB`,
    );
    expect(first - base).toBeLessThan(250);
    // Reused, not accumulated.
    expect(second - first).toBeLessThan(64);
    expect(after).toBeLessThanOrEqual(second);
    expect(externalAfter - external).toBeLessThan(32 * MiB);
  });
});
