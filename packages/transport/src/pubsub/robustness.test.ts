import diagnosticsChannel from 'node:diagnostics_channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { waitFor as waitForCondition } from '../../../../tests/transport/helpers.js';
import { type DroppedMessage, TransportChannels } from '../diagnostics.js';
import { Command, EVENT_SIGNATURE } from '../protocol/constants.js';
import { decodeEvent, encodeEvent } from '../protocol/events.js';
import { msgpack } from '../protocol/msgpack.js';
import { EventPublisher } from './publisher.js';
import type { EventGap } from './seq-tracker.js';
import { EventSubscriber, type ReceivedEvent } from './subscriber.js';

/** The shared waitFor, with this file's 5 s bound. */
const waitFor = (cond: () => boolean, what: string) => waitForCondition(cond, what, 5000);

/** A raw XPUB (not an EventPublisher), so tests can send anything, once a subscription has arrived. */
async function rawPublisher() {
  const sock = new zmq.XPublisher({ linger: 0 });
  await sock.bind('tcp://127.0.0.1:*');
  return {
    endpoint: sock.lastEndpoint!,
    send: (frames: Buffer[]) => sock.send(frames),
    /** Resolves once a subscription has arrived. */
    subscribed: async () => {
      const [msg] = await sock.receive();
      expect(msg![0]).toBe(1);
    },
    [Symbol.asyncDispose]: async () => sock.close(),
  };
}

function event(topic: string, seq: number, payload = 'x'): Buffer[] {
  return encodeEvent({
    topic,
    seq,
    timestampMs: Date.now(),
    meta: undefined,
    contentType: undefined,
    body: [Buffer.from(payload)],
  });
}

function watchDropped(): { reasons: string[] } & Disposable {
  const reasons: string[] = [];
  const onMessage = (m: unknown) => {
    if ((m as DroppedMessage).side === 'client') reasons.push((m as DroppedMessage).reason);
  };
  diagnosticsChannel.subscribe(TransportChannels.dropped, onMessage);
  return {
    reasons,
    [Symbol.dispose]: () => diagnosticsChannel.unsubscribe(TransportChannels.dropped, onMessage),
  };
}

describe('EventSubscriber, given a hostile or lossy publisher', () => {
  it('drops malformed messages, counts them, and keeps delivering', async () => {
    await using raw = await rawPublisher();
    using dropped = watchDropped();
    const got: ReceivedEvent[] = [];
    await using _sub = new EventSubscriber({
      connect: raw.endpoint,
      topics: ['fz.ev'],
      onEvent: (e) => void got.push(e),
    });
    await raw.subscribed();

    // Frames a fuzzer would send: noise, near-misses of each part, and real envelopes with bad fields.
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a)),
      fc.constantFrom(EVENT_SIGNATURE, Buffer.from('CRE\x02', 'latin1'), Buffer.from('CRR\x01', 'latin1')),
      fc.anything().map((v) => msgpack.pack(v)),
      fc
        .tuple(fc.constantFrom(Command.EVENT, Command.REQUEST, 99), fc.nat(3), fc.anything(), fc.anything())
        .map((fields) => msgpack.pack(fields)),
    );
    const message = fc
      .tuple(fc.constantFrom('fz.ev', 'fz.evX', 'fz.e'), fc.array(frame, { maxLength: 5 }))
      .map(([topic, rest]) => [Buffer.from(topic), ...rest]);
    const messages = fc.sample(message, { numRuns: 400, seed: 42 });

    // What the subscriber must make of them, by the (separately tested) decoder.
    let expectedDropped = 0;
    let expectedDelivered = 0;
    for (const frames of messages) {
      if (!frames[0]!.toString().startsWith('fz.ev')) continue; // filtered out by ZeroMQ
      const { event: decoded } = decodeEvent(frames);
      if (decoded === undefined) expectedDropped++;
      else if (decoded.topic === 'fz.ev') expectedDelivered++;
    }
    expect(expectedDropped).toBeGreaterThan(200);

    for (const frames of messages) await raw.send(frames);
    await raw.send(event('fz.ev', 1, 'still alive'));
    await waitFor(() => got.at(-1)?.body[0]?.toString() === 'still alive', 'the valid event after the noise');

    expect(got).toHaveLength(expectedDelivered + 1);
    expect(dropped.reasons).toHaveLength(expectedDropped);
    expect(new Set(dropped.reasons)).toEqual(
      new Set([
        'NOT_COURIER',
        'UNSUPPORTED_VERSION',
        'MALFORMED_ENVELOPE',
        'INVALID_FIELD',
        'UNKNOWN_COMMAND',
      ]),
    );
  });

  it('reports gaps in sequence numbers as lost events', async () => {
    await using raw = await rawPublisher();
    const got: number[] = [];
    const gaps: EventGap[] = [];
    await using sub = new EventSubscriber({
      connect: raw.endpoint,
      topics: ['g.ev'],
      onEvent: (e) => void got.push(e.seq),
      onGap: (gap) => void gaps.push(gap),
    });
    await raw.subscribed();

    for (const seq of [10, 11, 14, 15, 20]) await raw.send(event('g.ev', seq));
    await waitFor(() => got.length === 5, 'five events');

    expect(sub.lost).toBe(2 + 4);
    expect(gaps).toEqual([
      { endpoint: raw.endpoint, topic: 'g.ev', expected: 12, received: 14, lost: 2 },
      { endpoint: raw.endpoint, topic: 'g.ev', expected: 16, received: 20, lost: 4 },
    ]);
  });

  it('reconnects by itself when its publisher restarts on the same port', async () => {
    const first = await EventPublisher.bind({ bind: 'tcp://127.0.0.1:*' });
    const endpoint = first.endpoints[0]!;
    const got: ReceivedEvent[] = [];
    await using sub = new EventSubscriber({
      connect: endpoint,
      topics: ['r.ev'],
      onEvent: (e) => void got.push(e),
      reconnectIntervalMs: 20,
      reconnectMaxIntervalMs: 100,
    });
    await first.waitForSubscriber('r.ev');
    first.publish('r.ev', [Buffer.from('before')]);
    first.publish('r.ev', [Buffer.from('before')]);
    await waitFor(() => got.length === 2, 'the events before the restart');
    await first.close();

    // libzmq releases the port in its I/O thread, a moment after close().
    let second: EventPublisher | undefined;
    for (let attempt = 0; second === undefined; attempt++) {
      try {
        second = await EventPublisher.bind({ bind: endpoint });
      } catch (err) {
        if (attempt >= 500) throw err;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    await using _second = second;
    await second.waitForSubscriber('r.ev');
    second.publish('r.ev', [Buffer.from('after')]);
    await waitFor(() => got.length === 3, 'the event after the restart');

    expect(got.map((e) => [e.seq, e.body[0]!.toString()])).toEqual([
      [1, 'before'],
      [2, 'before'],
      [1, 'after'],
    ]);
    // A restart is not a loss.
    expect(sub.lost).toBe(0);
  });
});
