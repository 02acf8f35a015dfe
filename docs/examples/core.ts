// The main example of packages/core/README.md, type-checked by `npm run typecheck`.
// Run it: npx tsx --conditions=courier-source docs/examples/core.ts
import { createClient, defineService, method, NotFoundError, serve } from '@courier/core';
import { z } from 'zod';

const Track = z.object({ id: z.string(), title: z.string(), seconds: z.number().int() });
const tracks = new Map([['t1', { id: 't1', title: 'So What', seconds: 562 }]]);

export const catalog = defineService({
  name: 'catalog',
  version: 1,
  methods: {
    get: method({
      description: 'One track by id',
      input: z.object({ id: z.string() }),
      output: Track,
      idempotent: true, // clients may retry it
      concurrency: 64, // at most 64 calls running at once...
      maxQueue: 256, // ...and 256 waiting; the next call is shed with OVERLOADED
      timeoutMs: 2000, // caps the caller's deadline
      handler: async ({ id }, ctx) => {
        ctx.log.debug({ id }, 'looking up'); // a pino child logger for this request
        const track = tracks.get(id);
        if (track === undefined) throw new NotFoundError(`no track ${id}`);
        return track;
      },
    }),
  },
});

// Binds, then drains and stops by itself on SIGTERM/SIGINT.
const server = await serve(catalog, { bind: 'tcp://127.0.0.1:*' });

const client = createClient(catalog, { endpoints: server.endpoints });
const track = await client.get({ id: 't1' }, { deadlineMs: 500 }); // { id: string; title: string; seconds: number }
console.log(track.title);

try {
  await client.get({ id: 'nope' });
} catch (err) {
  if (err instanceof NotFoundError) console.log(err.code, err.message); // NOT_FOUND no track nope
}

await client.$close();
await server.close();
