import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineService } from '../definition.js';
import {
  createPublisher,
  type EventData,
  type EventInfo,
  type EventName,
  type EventPayload,
  type Publisher,
  type Subscription,
  subscribe,
} from '../index.js';

const orders = defineService({
  name: 'orders',
  version: 1,
  methods: {},
  events: {
    created: z.object({ id: z.string(), tags: z.array(z.string()).default([]) }),
    shipped: z.object({ at: z.string().transform((s) => new Date(s)) }),
  },
});
type Orders = typeof orders;

const quiet = defineService({ name: 'quiet', version: 1, methods: {} });

describe('event types', () => {
  it('derives names, payloads and handler data from the schemas', () => {
    expectTypeOf<EventName<Orders>>().toEqualTypeOf<'created' | 'shipped'>();
    expectTypeOf<EventPayload<Orders, 'created'>>().toEqualTypeOf<{
      id: string;
      tags?: string[] | undefined;
    }>();
    expectTypeOf<EventData<Orders, 'created'>>().toEqualTypeOf<{ id: string; tags: string[] }>();
    expectTypeOf<EventPayload<Orders, 'shipped'>>().toEqualTypeOf<{ at: string }>();
    expectTypeOf<EventData<Orders, 'shipped'>>().toEqualTypeOf<{ at: Date }>();
    expectTypeOf<EventName<typeof quiet>>().toEqualTypeOf<never>();
  });
});

describe('createPublisher', () => {
  it('takes the input type of the named event', async () => {
    const events = await createPublisher(orders, { bind: 'tcp://127.0.0.1:*' });
    expectTypeOf(events).toEqualTypeOf<Publisher<Orders>>();
    expectTypeOf(events.publish('created', { id: 'o1' })).toEqualTypeOf<Promise<void>>();
    await events.publish('shipped', { at: '2024-05-01' }, { meta: { traceparent: 't' } });
    // @ts-expect-error no such event
    await events.publish('deleted', { id: 'o1' });
    // @ts-expect-error the payload of another event
    await events.publish('shipped', { id: 'o1' });
    // @ts-expect-error the input type, not the parsed one
    await events.publish('shipped', { at: new Date() });
    // @ts-expect-error metadata values are strings
    await events.publish('created', { id: 'o1' }, { meta: { n: 1 } });
    // @ts-expect-error a service without events has nothing to publish
    await (await createPublisher(quiet, { bind: 'inproc://q' })).publish('created', {});
  });
});

describe('subscribe', () => {
  it('hands each handler the parsed type of its event', () => {
    const sub = subscribe(
      orders,
      { endpoints: ['tcp://127.0.0.1:7101'] },
      {
        created: (payload, info) => {
          expectTypeOf(payload).toEqualTypeOf<{ id: string; tags: string[] }>();
          expectTypeOf(info).toEqualTypeOf<EventInfo>();
          expectTypeOf(info.seq).toEqualTypeOf<number>();
        },
        shipped: async ({ at }) => {
          expectTypeOf(at).toEqualTypeOf<Date>();
        },
      },
    );
    expectTypeOf(sub).toEqualTypeOf<Subscription>();
    expectTypeOf(sub.lost).toEqualTypeOf<number>();
  });

  it('takes some handlers, but only for declared events', () => {
    subscribe(orders, { endpoints: 'inproc://x' }, { shipped: () => {} });
    // @ts-expect-error no such event
    subscribe(orders, { endpoints: 'inproc://x' }, { deleted: () => {} });
    subscribe(
      orders,
      { endpoints: 'inproc://x' },
      {
        // @ts-expect-error the payload is { id, tags }, not a string
        created: (payload: string) => void payload,
      },
    );
  });
});
