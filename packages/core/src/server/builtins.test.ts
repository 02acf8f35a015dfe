import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { deferred, startHarness, waitFor } from './harness.test-util.js';

const Track = z.object({ id: z.string(), title: z.string() });

/** A Standard Schema without the JSON Schema extension, like many libraries today. */
const plain: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) },
};

function catalog(gate = deferred<void>()) {
  return defineService({
    name: 'catalog',
    version: 3,
    description: 'Tracks and albums',
    concurrency: 1,
    maxQueue: 0,
    methods: {
      get: method({
        input: z.object({ id: z.string() }),
        output: Track,
        idempotent: true,
        timeoutMs: 2000,
        description: 'One track by id',
        handler: async ({ id }) => {
          await gate.promise;
          return { id, title: 't' };
        },
      }),
      loose: method({ input: plain, handler: (x) => x }),
    },
    events: { added: Track },
  });
}

describe('built-in methods', () => {
  it('_health reports status, version, uptime and running handlers', async () => {
    const gate = deferred<void>();
    await using h = await startHarness(catalog(gate));
    const health = await h.call('_health');
    expect(health).toMatchObject({
      status: 'OK',
      value: { status: 'ok', service: 'catalog', version: 3, inflight: 0, uptimeSeconds: expect.any(Number) },
    });
    const running = h.call('get', { id: '1' });
    await waitFor(() => h.server.stats().methods[0]?.inflight === 1);
    // The service is saturated (concurrency 1, no queue), yet health still answers.
    expect(await h.call('get', { id: '2' })).toMatchObject({ status: 'OVERLOADED' });
    expect((await h.call('_health')).value).toMatchObject({ status: 'ok', inflight: 1 });
    gate.resolve();
    await running;
  });

  it('_describe lists methods with options and JSON Schemas, and events', async () => {
    await using h = await startHarness(catalog());
    const { value } = await h.call('_describe', { ignored: true });
    expect(value).toEqual({
      name: 'catalog',
      version: 3,
      description: 'Tracks and albums',
      methods: {
        get: {
          idempotent: true,
          timeoutMs: 2000,
          description: 'One track by id',
          compute: false,
          input: expect.objectContaining({ type: 'object', required: ['id'] }),
          output: expect.objectContaining({ type: 'object', required: ['id', 'title'] }),
        },
        loose: {
          idempotent: false,
          timeoutMs: 30_000,
          description: null,
          compute: false,
          input: null,
          output: null,
        },
      },
      events: { added: expect.objectContaining({ type: 'object' }) },
    });
  });

  it('cannot be shadowed: user method names starting with _ are refused', async () => {
    const definition = {
      ...catalog(),
      methods: { _health: method({ input: plain, handler: () => 'mine' }) },
    };
    await expect(startHarness(definition)).rejects.toThrow(/reserved/);
  });
});
