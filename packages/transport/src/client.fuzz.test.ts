import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FUZZ_LIMITS, garbageArb } from '../../../tests/transport/arbitraries.js';
import {
  answerEchoes,
  ChannelRecorder,
  DECODE_ERROR_CODES,
  RawPeer,
  Teardown,
  uniqueAddress,
  waitFor,
} from '../../../tests/transport/helpers.js';
import { TransportClient } from './client.js';
import { TransportChannels } from './diagnostics.js';
import { Command, Status } from './protocol/constants.js';
import { decodeMessage } from './protocol/framing.js';

/**
 * The client's decoder under fuzzing: a raw ROUTER plays the server and,
 * between well-formed exchanges, sends the client garbage. The client must
 * neither crash nor stop working, and must count what it could not decode.
 *
 * Nothing here depends on how fast the machine is. The client judges the
 * server by the interval the server advertises, times its own liveness
 * count: the router advertises the longest interval the protocol allows, and
 * garbage that would shrink the window (a valid HEARTBEAT advertising less
 * than a minute) is left out, so no stall of the test process (a loaded
 * machine, a GC pause) can outlast the client's liveness window before the
 * test's own timeout. Otherwise the client would declare the server dead and
 * replace its connection, and garbage addressed to the old one would never
 * arrive.
 */
const RUNS = 100;
const PER_RUN = 60;
/** The client's own heartbeat interval: how often it pings an idle server. */
const HB = 1000;
/** What the router advertises: the protocol's maximum (docs/protocol.md, "Heartbeats"). */
const SERVER_HB = 3_600_000;
/** The shortest advertised interval garbage may carry: liveness 20 x 1 min outlasts any test timeout. */
const MIN_GARBAGE_HB = 60_000;

const harmless = (frames: Buffer[]) =>
  decodeMessage(frames, FUZZ_LIMITS).packets.every(
    (p) => p.cmd !== Command.HEARTBEAT || p.intervalMs >= MIN_GARBAGE_HB,
  );

describe('TransportClient under fuzzing', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it(`survives ${RUNS * PER_RUN} garbage messages from its server and keeps working`, async () => {
    // A REPLY with id 0 is a message-level error the client counts and reports
    // as a process warning, at most one per 10 s.
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    teardown.add(warnings, (w) => w.mockRestore());
    const dropped = teardown.add(
      new ChannelRecorder<{ side: string; reason: string }>(TransportChannels.dropped),
      (r) => r.close(),
    );
    const bytesIn = teardown.add(
      new ChannelRecorder<{ side: string; direction: string }>(TransportChannels.bytes),
      (r) => r.close(),
    );
    const { peer: router, endpoint } = await RawPeer.router(uniqueAddress('tcp'), 100);
    teardown.add(router, (p) => p.close());
    let sentToClient = 0;
    router.respond = (message) => {
      const out = answerEchoes(SERVER_HB)(message);
      if (out.length > 0) sentToClient++;
      return out;
    };
    const client = teardown.add(
      new TransportClient({
        connect: endpoint,
        heartbeatIntervalMs: HB,
        heartbeatLiveness: 20,
        limits: FUZZ_LIMITS,
      }),
      (c) => c.close(),
    );
    await waitFor(() => client.state === 'alive', 'the client to meet the router');
    const route = () => router.received.at(-1)!.route!;
    const received = () => bytesIn.count((e) => e.side === 'client' && e.direction === 'in');

    let expectedDecodeErrors = 0;
    let expectedRejections = 0;
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(garbageArb.filter(harmless), { minLength: PER_RUN, maxLength: PER_RUN }),
        async (messages) => {
          const to = route();
          for (const frames of messages) {
            const decoded = decodeMessage(frames, FUZZ_LIMITS);
            expectedDecodeErrors += decoded.errors.length;
            expectedRejections += decoded.packets.filter((p) => p.cmd === Command.REPLY && p.id === 0).length;
            await router.sendFrames([to, ...frames]);
            sentToClient++;
            sent++;
          }
          // A heartbeat without the draining flag undoes any DISCONNECT or
          // draining flag in the garbage; once the client has read everything
          // sent to it, it must be alive and answer a call correctly.
          await router.send(
            [{ cmd: Command.HEARTBEAT, intervalMs: SERVER_HB, liveness: 3, draining: false }],
            to,
          );
          sentToClient++;
          await waitFor(() => received() >= sentToClient, 'the client to read everything');
          expect(client.state).toBe('alive');
          const body = randomBytes(24);
          const reply = await client.request({ method: 'fuzz.check', body: [body], deadlineMs: 10_000 });
          expect(reply).toMatchObject({ status: Status.OK, local: false, body: [body] });
        },
      ),
      { seed: 0xc11e, numRuns: RUNS, endOnFailure: true },
    );

    expect(sent).toBe(RUNS * PER_RUN);
    const decodeDrops = dropped.events.filter((e) => e.side === 'client' && DECODE_ERROR_CODES.has(e.reason));
    expect(decodeDrops.length).toBe(expectedDecodeErrors);
    expect(dropped.count((e) => e.side === 'client' && e.reason === 'SERVER_REJECTED')).toBe(
      expectedRejections,
    );
    expect(expectedRejections).toBeGreaterThan(1);
    // Not one per rejection: the first, then (on a slow run) one per 10 s.
    expect(warnings.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(warnings.mock.calls.length).toBeLessThan(expectedRejections);
    expect(client.state).toBe('alive');
  });
});
