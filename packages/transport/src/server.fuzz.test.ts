import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FUZZ_LIMITS, garbageArb } from '../../../tests/transport/arbitraries.js';
import {
  ChannelRecorder,
  DECODE_ERROR_CODES,
  is,
  RawPeer,
  Teardown,
  uniqueAddress,
  waitFor,
} from '../../../tests/transport/helpers.js';
import { TransportClient } from './client.js';
import { TransportChannels } from './diagnostics.js';
import { Command, Status } from './protocol/constants.js';
import { decodeMessage } from './protocol/decode.js';
import { TransportServer } from './server.js';

/**
 * Never crash, never stop serving: thousands of broken and hostile messages
 * from raw DEALER sockets, while a well-behaved client keeps calling. Each
 * fast-check run sends a batch of garbage, then pings on every raw socket (so
 * everything before the ping was handled) and checks the server still answers.
 */
const RUNS = 110;
const PER_RUN = 100; // RUNS x PER_RUN = 11,000 messages
const DEALERS = 4;
const PING_BASE = 0xf000_0000;

describe('TransportServer under fuzzing', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it(`survives ${RUNS * PER_RUN} random and mutated messages and keeps serving valid calls`, async () => {
    const dropped = teardown.add(
      new ChannelRecorder<{ side: string; reason: string }>(TransportChannels.dropped),
      (r) => r.close(),
    );
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        heartbeatIntervalMs: 50,
        heartbeatLiveness: 10,
        limits: FUZZ_LIMITS,
        onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
      }),
      (s) => s.close(),
    );
    const endpoint = server.endpoints[0]!;

    // A well-behaved client calling throughout, on its own connection.
    const client = teardown.add(
      new TransportClient({ connect: endpoint, heartbeatIntervalMs: 50, heartbeatLiveness: 20 }),
      (c) => c.close(),
    );
    let running = true;
    const valid = { ok: 0, bad: [] as string[] };
    const caller = async () => {
      while (running) {
        const body = randomBytes(Math.floor(Math.random() * 200));
        const reply = await client.request({ method: 'fuzz.valid', body: [body], deadlineMs: 10_000 });
        if (reply.status === Status.OK && reply.body.length === 1 && reply.body[0]!.equals(body)) valid.ok++;
        else valid.bad.push(`${reply.status} ${reply.message}`);
      }
    };
    const callers = Array.from({ length: 4 }, caller);

    const dealers = Array.from({ length: DEALERS }, () =>
      teardown.add(RawPeer.dealer(endpoint), (p) => p.close()),
    );
    let expectedDecodeErrors = 0;
    let sent = 0;
    let ping = PING_BASE;

    await fc.assert(
      fc.asyncProperty(fc.array(garbageArb, { minLength: PER_RUN, maxLength: PER_RUN }), async (messages) => {
        for (const d of dealers) d.received.length = 0;
        for (const [i, frames] of messages.entries()) {
          expectedDecodeErrors += decodeMessage(frames, FUZZ_LIMITS).errors.length;
          await dealers[i % DEALERS]!.sendFrames(frames);
          sent++;
        }
        // Same socket, so same order: a ping answered means its garbage was handled.
        await Promise.all(
          dealers.map(async (d) => {
            const id = ++ping;
            const body = randomBytes(16);
            await d.send([
              {
                cmd: Command.REQUEST,
                id,
                method: 'fuzz.ping',
                deadlineMs: 10_000,
                meta: undefined,
                contentType: undefined,
                body: [body],
              },
            ]);
            const { packet } = await d.next(is.reply(id), `the reply to ping ${id}`);
            expect(packet.status).toBe(Status.OK);
            expect(packet.body).toEqual([body]);
          }),
        );
      }),
      { seed: 0x5eed, numRuns: RUNS, endOnFailure: true },
    );

    running = false;
    await Promise.all(callers);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(valid.bad).toEqual([]);
    expect(valid.ok).toBeGreaterThan(0);

    // Every undecodable packet was counted, exactly as the decoder reports it.
    const decodeDrops = dropped.events.filter((e) => e.side === 'server' && DECODE_ERROR_CODES.has(e.reason));
    expect(decodeDrops.length).toBe(expectedDecodeErrors);
    expect(new Set(decodeDrops.map((e) => e.reason))).toEqual(DECODE_ERROR_CODES);

    // And the server still serves a newcomer.
    const fresh = teardown.add(new TransportClient({ connect: endpoint }), (c) => c.close());
    await waitFor(() => fresh.state !== 'connecting', 'first contact');
    const reply = await fresh.request({
      method: 'fuzz.after',
      body: [Buffer.from('still here')],
      deadlineMs: 5000,
    });
    expect(reply).toMatchObject({ status: Status.OK, body: [Buffer.from('still here')] });
  });
});
