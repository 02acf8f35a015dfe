// packages/core/README.md, "The handler context": one service calling another.
// Run it: npx tsx --conditions=courier-source docs/examples/core/context.ts
import { createClient, defineService, method, serve } from '@courier/core';
import { z } from 'zod';

const catalog = defineService({
  name: 'catalog',
  version: 1,
  methods: {
    titles: method({
      input: z.object({ ids: z.array(z.string()) }),
      idempotent: true,
      handler: async ({ ids }, ctx) => {
        // ctx.caller is 'playlist' and ctx.traceparent continues the caller's trace.
        ctx.log.info({ caller: ctx.caller, traceparent: ctx.traceparent }, 'titles');
        return ids.map((id) => `Track ${id}`);
      },
    }),
  },
});

const catalogServer = await serve(catalog, { bind: 'tcp://127.0.0.1:*' });
// One client per downstream service, made once and shared by every request.
const catalogClient = createClient(catalog, { endpoints: catalogServer.endpoints, caller: 'playlist' });

const playlist = defineService({
  name: 'playlist',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.string() }),
      idempotent: true,
      handler: async ({ id }, ctx) => {
        if (ctx.remainingMs() < 50) ctx.log.warn('little time left');
        // Carries this request's deadline, cancellation and trace context downstream.
        const titles = await ctx.client(catalogClient).titles({ ids: ['t1', 't2'] });
        // Anything that takes an AbortSignal stops when the caller gives up.
        await fetchCover(id, ctx.signal);
        return { id, titles, requestedBy: ctx.meta.user ?? 'anonymous' };
      },
    }),
  },
});

async function fetchCover(_id: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
}

const playlistServer = await serve(playlist, { bind: 'tcp://127.0.0.1:*' });
const client = createClient(playlist, { endpoints: playlistServer.endpoints });
console.log(await client.get({ id: 'p1' }, { deadlineMs: 1000, meta: { user: 'ada' } }));

await client.$close();
await catalogClient.$close();
await Promise.all([playlistServer.close(), catalogServer.close()]);
