import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { testService } from '../testing.js';
import { type Deferred, deferred, startHarness, waitFor } from './harness.test-util.js';

/** `hold` runs one call at a time with one waiting; each call waits on a gate the test opens. */
function gated() {
  const gates = new Map<string, Deferred<string>>();
  const started: string[] = [];
  const gate = (id: string): Deferred<string> => {
    let d = gates.get(id);
    if (d === undefined) {
      d = deferred<string>();
      gates.set(id, d);
    }
    return d;
  };
  const definition = defineService({
    name: 'gated',
    version: 1,
    methods: {
      hold: method({
        input: z.object({ id: z.string() }),
        concurrency: 1,
        maxQueue: 1,
        handler: async ({ id }) => {
          started.push(id);
          return gate(id).promise;
        },
      }),
    },
  });
  return { definition, gate, started };
}

const queued = (h: { server: { stats(): { methods: readonly { queued: number }[] } } }): number =>
  h.server.stats().methods[0]!.queued;

describe('criticality', () => {
  it('sheds a queued sheddable call for a default one, which then runs', async () => {
    const svc = gated();
    await using h = await startHarness(svc.definition);
    const a = h.call('hold', { id: 'a' });
    await waitFor(() => svc.started.includes('a'));
    const b = h.call('hold', { id: 'b' }, { meta: { criticality: 'sheddable' } });
    await waitFor(() => queued(h) === 1);
    const c = h.call('hold', { id: 'c' });
    // The server refused b without running it: OVERLOADED, sent by the server.
    expect(await b).toMatchObject({ status: 'OVERLOADED', local: false });
    svc.gate('a').resolve('a');
    await waitFor(() => svc.started.includes('c'));
    svc.gate('c').resolve('c');
    expect([(await a).status, (await c).status]).toEqual(['OK', 'OK']);
    expect(svc.started).toEqual(['a', 'c']);
  });

  it('sheds the newcomer when nothing less critical waits; a critical call evicts a default one', async () => {
    const svc = gated();
    await using h = await startHarness(svc.definition);
    const a = h.call('hold', { id: 'a' });
    await waitFor(() => svc.started.includes('a'));
    const b = h.call('hold', { id: 'b' });
    await waitFor(() => queued(h) === 1);
    expect(await h.call('hold', { id: 'x' })).toMatchObject({ status: 'OVERLOADED' });
    expect(await h.call('hold', { id: 'y' }, { meta: { criticality: 'sheddable' } })).toMatchObject({
      status: 'OVERLOADED',
    });
    // An unknown value counts as default: it evicts nothing.
    expect(await h.call('hold', { id: 'z' }, { meta: { criticality: 'urgent!' } })).toMatchObject({
      status: 'OVERLOADED',
    });
    const c = h.call('hold', { id: 'c' }, { meta: { criticality: 'critical' } });
    expect(await b).toMatchObject({ status: 'OVERLOADED' });
    svc.gate('a').resolve('a');
    await waitFor(() => svc.started.includes('c'));
    svc.gate('c').resolve('c');
    expect((await c).status).toBe('OK');
    await a;
  });

  it('is sent by the client as meta.criticality and passed on by ctx.client() to nested calls', async () => {
    const seen: Array<string | undefined> = [];
    const leaf = defineService({
      name: 'leaf',
      version: 1,
      methods: {
        get: method({
          input: z.undefined(),
          handler: (_, ctx) => {
            seen.push(ctx.meta.criticality);
            return 'ok';
          },
        }),
      },
    });
    await using l = await testService(leaf);
    const front = defineService({
      name: 'front',
      version: 1,
      methods: {
        get: method({
          input: z.undefined(),
          handler: async (_, ctx) => {
            seen.push(ctx.meta.criticality);
            return ctx.client(l.client).get();
          },
        }),
      },
    });
    await using f = await testService(front);
    await f.client.get(undefined, { criticality: 'sheddable' });
    await f.client.withDefaults({ criticality: 'critical' }).get();
    await f.client.get();
    expect(seen).toEqual(['sheddable', 'sheddable', 'critical', 'critical', undefined, undefined]);
    // A value the types forbid is refused before anything is sent.
    await expect(f.client.get(undefined, { criticality: 'high' as never })).rejects.toMatchObject({
      code: 'ERR_COURIER_CLIENT_OPTIONS',
    });
  });
});
