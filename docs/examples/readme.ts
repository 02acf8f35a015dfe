// The root README's "A service in one file" example, verbatim, so it is type-checked.
import { createClient, defineService, method, NotFoundError, serve, testService } from '@courier/core';
import { expect } from 'vitest';
import { z } from 'zod';

export const playlist = defineService({
  name: 'playlist',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.string() }),
      output: z.object({ id: z.string(), name: z.string() }),
      idempotent: true, // clients may retry it
      concurrency: 64, // at most 64 running at once...
      maxQueue: 256, // ...and 256 waiting; the next call gets OVERLOADED
      handler: async ({ id }, ctx) => {
        // ctx.signal aborts on deadline or cancel; ctx.log is a per-request pino logger;
        // ctx.client(other) calls another service with this call's remaining deadline and trace.
        ctx.log.debug({ id }, 'get');
        if (id !== 'p1') throw new NotFoundError(`no playlist ${id}`);
        return { id, name: 'Late night' };
      },
    }),
  },
});

const server = await serve(playlist, { bind: 'tcp://127.0.0.1:7001' }); // drains on SIGTERM

const client = createClient(playlist, { endpoints: server.endpoints });
const p = await client.get({ id: 'p1' }, { deadlineMs: 500 }); // typed: { id: string; name: string }
console.log(p.name);

// "Test it in-process in two lines" (type-checked here; docs/examples/core/testing.test.ts runs the same pattern).
export async function readmeTest(): Promise<void> {
  await using svc = await testService(playlist);
  expect(await svc.client.get({ id: 'p1' })).toEqual({ id: 'p1', name: 'Late night' });
}
