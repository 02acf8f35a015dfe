import { describe, expect, it } from 'vitest';
import { uniqueAddress, waitFor as waitForCondition } from '../../../../tests/transport/helpers.js';
import { TransportError } from '../errors.js';
import { EventPublisher } from './publisher.js';
import { EventSubscriber, type ReceivedEvent } from './subscriber.js';

/** The shared waitFor, with this file's 5 s bound. */
const waitFor = (cond: () => boolean, what: string) => waitForCondition(cond, what, 5000);

function collector() {
  const events: ReceivedEvent[] = [];
  return { events, onEvent: (e: ReceivedEvent) => void events.push(e) };
}

const body = (s: string) => [Buffer.from(s)];

describe.each(['tcp', 'ipc', 'inproc'] as const)('over %s', (transport) => {
  it('delivers an event with all its fields', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress(transport) });
    const got = collector();
    await using _sub = new EventSubscriber({
      connect: pub.endpoints,
      topics: ['svc.created'],
      onEvent: got.onEvent,
    });
    await pub.waitForSubscriber('svc.created');

    const before = Date.now();
    const seq = pub.publish('svc.created', [Buffer.from('a'), Buffer.from('b')], {
      meta: { traceparent: 't' },
      contentType: 'application/json',
    });
    await waitFor(() => got.events.length === 1, 'the event');

    expect(seq).toBe(1);
    const [event] = got.events;
    expect(event).toEqual({
      topic: 'svc.created',
      seq: 1,
      timestampMs: expect.any(Number),
      meta: { traceparent: 't' },
      contentType: 'application/json',
      body: [Buffer.from('a'), Buffer.from('b')],
      endpoint: pub.endpoints[0],
    });
    expect(event!.timestampMs).toBeGreaterThanOrEqual(before);
    expect(event!.timestampMs).toBeLessThanOrEqual(Date.now());
  });
});

describe('EventPublisher', () => {
  it('numbers the events of each topic on their own', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    expect(pub.publish('a.x', [])).toBe(1);
    expect(pub.publish('a.y', [])).toBe(1);
    expect(pub.publish('a.x', [])).toBe(2);
  });

  it('sees subscriptions come and go', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('tcp') });
    expect(pub.hasSubscriber('a.x')).toBe(false);
    const sub = new EventSubscriber({ connect: pub.endpoints, topics: ['a.x'], onEvent: () => {} });
    await pub.waitForSubscriber('a.x');
    expect(pub.hasSubscriber('a.x')).toBe(true);
    expect(pub.hasSubscriber('a.y')).toBe(false);
    await sub.close();
    await waitFor(() => !pub.hasSubscriber('a.x'), 'the unsubscription');
  });

  it('rejects a wait when aborted or closed', async () => {
    const pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    const controller = new AbortController();
    const aborted = pub.waitForSubscriber('a.x', { signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');

    const closed = pub.waitForSubscriber('a.x');
    await pub.close();
    await expect(closed).rejects.toMatchObject({ code: 'ERR_COURIER_SOCKET_CLOSED' });
    await expect(pub.waitForSubscriber('a.x')).rejects.toBeInstanceOf(TransportError);
  });

  it('refuses to publish once closed, or on a bad topic', async () => {
    const pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    expect(() => pub.publish('', [])).toThrow(RangeError);
    expect(() => pub.publish('x'.repeat(257), [])).toThrow(RangeError);
    await pub.close();
    await pub.close();
    expect(() => pub.publish('a.x', [])).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_SOCKET_CLOSED' }),
    );
  });

  it('reports an endpoint it cannot bind', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('tcp') });
    await expect(EventPublisher.bind({ bind: pub.endpoints[0]! })).rejects.toMatchObject({
      code: 'ERR_COURIER_BIND_FAILED',
    });
    expect(() => new EventPublisher({ bind: [] })).toThrow(TransportError);
  });
});

describe('EventSubscriber', () => {
  it('matches topics exactly, though ZeroMQ filters by prefix', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('tcp') });
    const got = collector();
    await using _sub = new EventSubscriber({
      connect: pub.endpoints,
      topics: ['a.created'],
      onEvent: got.onEvent,
    });
    await pub.waitForSubscriber('a.created');

    pub.publish('a.createdX', body('collision'));
    pub.publish('a.create', body('shorter'));
    pub.publish('a.created', body('mine'));
    // One publisher, one connection: had the others been delivered, they would have come first.
    await waitFor(() => got.events.length >= 1, 'the event');
    expect(got.events.map((e) => [e.topic, e.body[0]!.toString()])).toEqual([['a.created', 'mine']]);
  });

  it('subscribes and unsubscribes at run time', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    const got = collector();
    await using sub = new EventSubscriber({ connect: pub.endpoints, onEvent: got.onEvent });
    expect(() => sub.subscribe('')).toThrow(RangeError);

    sub.subscribe('a.x', 'a.y');
    expect([...sub.topics]).toEqual(['a.x', 'a.y']);
    await pub.waitForSubscriber('a.x');
    await pub.waitForSubscriber('a.y');
    sub.unsubscribe('a.x');
    await waitFor(() => !pub.hasSubscriber('a.x'), 'the unsubscription');

    pub.publish('a.x', body('gone'));
    pub.publish('a.y', body('kept'));
    await waitFor(() => got.events.length >= 1, 'the event');
    expect(got.events.map((e) => e.topic)).toEqual(['a.y']);
  });

  it('receives from several publishers and says which sent each event', async () => {
    await using pub1 = await EventPublisher.bind({ bind: uniqueAddress('tcp') });
    await using pub2 = await EventPublisher.bind({ bind: uniqueAddress('ipc') });
    const got = collector();
    await using sub = new EventSubscriber({
      connect: [...pub1.endpoints, ...pub2.endpoints],
      topics: ['a.x'],
      onEvent: got.onEvent,
    });
    expect(sub.endpoints).toEqual([pub1.endpoints[0], pub2.endpoints[0]]);
    await pub1.waitForSubscriber('a.x');
    await pub2.waitForSubscriber('a.x');

    pub1.publish('a.x', body('one'));
    pub2.publish('a.x', body('two'));
    pub2.publish('a.x', body('three'));
    await waitFor(() => got.events.length === 3, 'three events');
    // Each publisher numbers its own events, so no gap is seen.
    expect(sub.lost).toBe(0);
    const from = (endpoint: string) => got.events.filter((e) => e.endpoint === endpoint).map((e) => e.seq);
    expect(from(pub1.endpoints[0]!)).toEqual([1]);
    expect(from(pub2.endpoints[0]!)).toEqual([1, 2]);
  });

  it('keeps delivering after a callback throws', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    const seen: number[] = [];
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await using _sub = new EventSubscriber({
        connect: pub.endpoints,
        topics: ['a.x'],
        onEvent: (e) => {
          seen.push(e.seq);
          if (e.seq === 1) throw new Error('handler bug');
          if (e.seq === 2) return Promise.reject(new Error('async handler bug'));
        },
      });
      await pub.waitForSubscriber('a.x');
      for (let i = 0; i < 3; i++) pub.publish('a.x', []);
      await waitFor(() => seen.length === 3 && warnings.length === 2, 'three events and two warnings');
      expect(warnings.map((w) => w.message)).toEqual(['handler bug', 'async handler bug']);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('delivers the events of one publisher in order, one at a time', async () => {
    await using pub = await EventPublisher.bind({ bind: uniqueAddress('inproc') });
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const witness = collector();
    await using _sub = new EventSubscriber({
      connect: pub.endpoints,
      topics: ['a.x'],
      onEvent: async (e) => {
        log.push(`start ${e.seq}`);
        if (e.seq === 1) await held;
        log.push(`end ${e.seq}`);
      },
    });
    await using _witness = new EventSubscriber({
      connect: pub.endpoints,
      topics: ['a.y'],
      onEvent: witness.onEvent,
    });
    await pub.waitForSubscriber('a.x');
    await pub.waitForSubscriber('a.y');

    pub.publish('a.x', []);
    pub.publish('a.x', []);
    pub.publish('a.y', []);
    // What was published after the second event has reached another
    // subscriber, so the second is (almost surely) queued at ours.
    await waitFor(() => witness.events.length === 1 && log.length === 1, 'the first event');
    expect(log).toEqual(['start 1']);
    release();
    await waitFor(() => log.length === 4, 'both events');
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('refuses an endpoint it cannot connect to', () => {
    expect(() => new EventSubscriber({ connect: 'bogus://x', onEvent: () => {} })).toThrow(
      expect.objectContaining({ code: 'ERR_COURIER_INVALID_ENDPOINT' }),
    );
    expect(() => new EventSubscriber({ connect: [], onEvent: () => {} })).toThrow(TransportError);
  });
});
