import { EventPublisher, encodeEvent, msgpack } from '@courier/transport';
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { z } from 'zod';
import { uniqueAddress, waitFor as waitForCondition } from '../../../../tests/transport/helpers.js';
import { defineService } from '../definition.js';
import { BadRequestError, DefinitionError, NotFoundError } from '../errors.js';
import { createPublisher, type EventErrorContext, type EventInfo, subscribe } from '../index.js';

const orders = defineService({
  name: 'orders',
  version: 1,
  methods: {},
  events: {
    created: z.object({ id: z.string(), total: z.number(), tags: z.array(z.string()).default([]) }),
    cancelled: z.object({ id: z.string() }),
    shipped: z.object({ id: z.string(), at: z.iso.datetime().transform((s) => new Date(s)) }),
  },
});

/** The shared waitFor, with this file's 5 s bound. */
const waitFor = (cond: () => boolean, what: string) => waitForCondition(cond, what, 5000);

function errors() {
  const seen: Array<{ error: unknown; context: EventErrorContext }> = [];
  return {
    seen,
    onError: (error: unknown, context: EventErrorContext) => void seen.push({ error, context }),
  };
}

describe.each(['tcp', 'ipc', 'inproc'] as const)('typed events over %s', (transport) => {
  it('delivers a parsed payload and where it came from', async () => {
    await using events = await createPublisher(orders, { bind: uniqueAddress(transport) });
    const got: Array<[unknown, EventInfo]> = [];
    await using _sub = subscribe(
      orders,
      { endpoints: events.endpoints },
      { created: (payload, info) => void got.push([payload, info]) },
    );
    await events.waitForSubscriber('created');

    await events.publish('created', { id: 'o1', total: 12.5 }, { meta: { traceparent: 't' } });
    await waitFor(() => got.length === 1, 'the event');

    expect(got[0]).toEqual([
      { id: 'o1', total: 12.5, tags: [] },
      {
        event: 'created',
        topic: 'orders.created',
        seq: 1,
        timestamp: expect.any(Number),
        meta: { traceparent: 't' },
        endpoint: events.endpoints[0],
      },
    ]);
  });
});

describe('createPublisher', () => {
  it('rejects an invalid payload before sending anything', async () => {
    await using events = await createPublisher(orders, { bind: uniqueAddress('inproc') });
    const got: number[] = [];
    await using _sub = subscribe(
      orders,
      { endpoints: events.endpoints },
      { created: (_, info) => void got.push(info.seq) },
    );
    await events.waitForSubscriber('created');

    // @ts-expect-error total must be a number
    const bad = events.publish('created', { id: 'o1', total: 'lots' });
    await expect(bad).rejects.toBeInstanceOf(BadRequestError);
    await expect(bad).rejects.toMatchObject({
      details: { issues: [{ path: ['total'], message: expect.any(String) }] },
    });
    await events.publish('created', { id: 'o2', total: 1 });
    await waitFor(() => got.length === 1, 'the valid event');
    // The rejected payload took no sequence number: it never reached the socket.
    expect(got).toEqual([1]);
  });

  it('sends the payload as given, so transforms run once, at the subscriber', async () => {
    await using events = await createPublisher(orders, { bind: uniqueAddress('inproc') });
    const got: Date[] = [];
    await using _sub = subscribe(
      orders,
      { endpoints: events.endpoints },
      { shipped: ({ at }) => void got.push(at) },
    );
    await events.waitForSubscriber('shipped');
    await events.publish('shipped', { id: 'o1', at: '2024-05-01T10:00:00Z' });
    await waitFor(() => got.length === 1, 'the event');
    expect(got[0]).toEqual(new Date('2024-05-01T10:00:00Z'));
  });

  it('refuses an event the service does not declare, and publishing after close', async () => {
    const events = await createPublisher(orders, { bind: uniqueAddress('inproc') });
    const untyped = events as unknown as { publish(name: string, payload: unknown): Promise<void> };
    await expect(untyped.publish('toString', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(untyped.publish('deleted', {})).rejects.toBeInstanceOf(NotFoundError);
    await events.close();
    await expect(events.publish('cancelled', { id: 'o1' })).rejects.toMatchObject({
      code: 'ERR_COURIER_SOCKET_CLOSED',
    });
  });
});

describe('subscribe', () => {
  it('subscribes only to the events it has handlers for', async () => {
    await using events = await createPublisher(orders, { bind: uniqueAddress('tcp') });
    const got: string[] = [];
    await using _sub = subscribe(
      orders,
      { endpoints: events.endpoints },
      { cancelled: ({ id }) => void got.push(id) },
    );
    await events.waitForSubscriber('cancelled');
    await events.publish('created', { id: 'not mine', total: 1 });
    await events.publish('cancelled', { id: 'mine' });
    await waitFor(() => got.length >= 1, 'the event');
    expect(got).toEqual(['mine']);
  });

  it('drops payloads that fail the schema, counts them, reports the first, and keeps going', async () => {
    // A transport-level publisher, bypassing the publisher's validation.
    await using raw = await EventPublisher.bind({ bind: uniqueAddress('tcp') });
    const got: string[] = [];
    const errs = errors();
    await using sub = subscribe(
      orders,
      { endpoints: raw.endpoints, onError: errs.onError },
      { created: ({ id }) => void got.push(id) },
    );
    await raw.waitForSubscriber('orders.created');

    raw.publish('orders.created', [msgpack.pack({ id: 5, total: 1 })]);
    raw.publish('orders.created', [Buffer.from([0xc1])]); // not MessagePack
    raw.publish('orders.created', [Buffer.from('{"id":')], { contentType: 'application/json' });
    raw.publish('orders.created', [Buffer.from('x')], { contentType: 'text/plain' });
    raw.publish('orders.created', [msgpack.pack({ id: 'ok', total: 2 })]);
    await waitFor(() => got.length === 1, 'the valid event');

    expect(got).toEqual(['ok']);
    expect(sub.invalid).toBe(4);
    expect(errs.seen).toHaveLength(1);
    expect(errs.seen[0]!.error).toBeInstanceOf(BadRequestError);
    expect(errs.seen[0]!.error).toMatchObject({ details: { issues: [{ path: ['id'] }] } });
    expect(errs.seen[0]!.context).toMatchObject({ phase: 'payload', info: { event: 'created', seq: 1 } });
  });

  it('reports every handler failure and keeps delivering', async () => {
    await using events = await createPublisher(orders, { bind: uniqueAddress('inproc') });
    const got: string[] = [];
    const errs = errors();
    await using _sub = subscribe(
      orders,
      { endpoints: events.endpoints, onError: errs.onError },
      {
        cancelled: async ({ id }) => {
          got.push(id);
          if (id === 'async') throw new Error('async failure');
          await Promise.resolve();
        },
        created: ({ id }) => {
          got.push(id);
          throw new Error('sync failure');
        },
      },
    );
    await events.waitForSubscriber('cancelled');
    await events.waitForSubscriber('created');

    await events.publish('created', { id: 'sync', total: 1 });
    await events.publish('cancelled', { id: 'async' });
    await events.publish('cancelled', { id: 'fine' });
    await waitFor(() => got.length === 3, 'three events');

    expect(got).toEqual(['sync', 'async', 'fine']);
    expect(
      errs.seen.map(({ error, context }) => [(error as Error).message, context.phase, context.info.event]),
    ).toEqual([
      ['sync failure', 'handler', 'created'],
      ['async failure', 'handler', 'cancelled'],
    ]);
  });

  it('counts the events lost to gaps in sequence numbers', async () => {
    const sock = new zmq.XPublisher({ linger: 0 });
    await sock.bind('tcp://127.0.0.1:*');
    try {
      const got: number[] = [];
      const gaps: number[] = [];
      await using sub = subscribe(
        orders,
        { endpoints: sock.lastEndpoint!, onGap: (gap) => void gaps.push(gap.lost) },
        { cancelled: (_, { seq }) => void got.push(seq) },
      );
      await sock.receive(); // the subscription
      for (const seq of [1, 2, 5, 9]) {
        await sock.send(
          encodeEvent({
            topic: 'orders.cancelled',
            seq,
            timestampMs: Date.now(),
            meta: undefined,
            contentType: undefined,
            body: [msgpack.pack({ id: 'o' })],
          }),
        );
      }
      await waitFor(() => got.length === 4, 'four events');
      expect(sub.lost).toBe(2 + 3);
      expect(gaps).toEqual([2, 3]);
    } finally {
      sock.close();
    }
  });

  it('refuses handlers for events the service does not declare', () => {
    expect(() =>
      // @ts-expect-error no such event
      subscribe(orders, { endpoints: 'inproc://nowhere' }, { deleted: () => {} }),
    ).toThrow(DefinitionError);
  });
});
