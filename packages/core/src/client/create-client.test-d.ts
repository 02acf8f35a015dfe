import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Context } from '../context.js';
import {
  type CallOptions,
  type Client,
  createClient,
  createDynamicClient,
  type DynamicClient,
  defineService,
  type HealthReport,
  method,
  type ServiceDescription,
} from '../index.js';

const Track = z.object({ id: z.string(), title: z.string() });

const playlist = defineService({
  name: 'playlist',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.string() }),
      output: Track,
      idempotent: true,
      handler: ({ id }) => ({ id, title: '' }),
    }),
    add: method({ input: Track, handler: () => ({ added: true as const }) }),
    count: method({ input: z.undefined(), handler: () => 0 }),
    search: method({
      input: z.object({ q: z.string(), limit: z.number().default(10) }),
      handler: ({ limit }) => Array.from({ length: limit }, () => 'x'),
    }),
    close: method({ input: z.object({ id: z.string() }), handler: () => true }),
  },
});

declare const client: Client<typeof playlist>;

describe('createClient()', () => {
  it('returns a client typed from the definition', () => {
    expectTypeOf(createClient(playlist, { endpoints: [] })).toEqualTypeOf<Client<typeof playlist>>();
  });

  it('has one method per definition method, with input and output types', () => {
    expectTypeOf(client.get).parameter(0).toEqualTypeOf<{ id: string }>();
    expectTypeOf(client.get).parameter(1).toEqualTypeOf<CallOptions | undefined>();
    expectTypeOf(client.get({ id: '1' })).resolves.toEqualTypeOf<{ id: string; title: string }>();
    expectTypeOf(client.add({ id: '1', title: 't' })).resolves.toEqualTypeOf<{ added: true }>();
    expectTypeOf(client.count()).resolves.toEqualTypeOf<number>();
    expectTypeOf(client.search({ q: 'x' })).resolves.toEqualTypeOf<string[]>();
    // A method may be called `close`: the client's own controls are $-prefixed.
    expectTypeOf(client.close({ id: '1' })).resolves.toEqualTypeOf<boolean>();
  });

  it('rejects wrong calls at compile time', () => {
    // @ts-expect-error missing input
    void client.get();
    // @ts-expect-error wrong input type
    void client.get({ id: 1 });
    // @ts-expect-error unknown field
    void client.get({ id: '1', extra: true });
    // @ts-expect-error unknown method
    void client.remove({ id: '1' });
    // @ts-expect-error bad option
    void client.get({ id: '1' }, { deadline: 'soon' });
    // @ts-expect-error the input schema accepts only undefined
    void client.count({});
  });

  it('offers its controls under $ names and withDefaults returns the same client type', () => {
    expectTypeOf(client.$service).toEqualTypeOf<string>();
    expectTypeOf(client.$state).toEqualTypeOf<'connecting' | 'ready' | 'unavailable' | 'closed'>();
    expectTypeOf(client.$close()).resolves.toBeVoid();
    expectTypeOf(client.withDefaults({ deadlineMs: 10 })).toEqualTypeOf<Client<typeof playlist>>();
    expectTypeOf(client).toHaveProperty(Symbol.asyncDispose);
  });

  it('can be scoped to a request with ctx.client', () => {
    const ctx = {} as Context;
    expectTypeOf(ctx.client(client)).toEqualTypeOf<Client<typeof playlist>>();
    expectTypeOf(ctx.client(client).get({ id: '1' })).resolves.toEqualTypeOf<{ id: string; title: string }>();
  });
});

describe('createDynamicClient()', () => {
  it('calls by name and returns unknown', () => {
    const dynamic = createDynamicClient('playlist', { endpoints: [] });
    expectTypeOf(dynamic).toEqualTypeOf<DynamicClient>();
    expectTypeOf(dynamic.call('get', { id: '1' })).resolves.toBeUnknown();
    expectTypeOf(dynamic.describe()).resolves.toEqualTypeOf<ServiceDescription>();
    expectTypeOf(dynamic.health()).resolves.toEqualTypeOf<HealthReport>();
    expectTypeOf(dynamic.withDefaults({})).toEqualTypeOf<DynamicClient>();
    // @ts-expect-error the method name is a string
    void dynamic.call(1);
  });
});
