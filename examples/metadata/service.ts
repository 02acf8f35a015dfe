import { defineService, method } from '@courier/core';
import { z } from 'zod';
import { storageClientOrThrow } from './upstreams.js';

export const Track = z.object({
  id: z.string(),
  title: z.string(),
  artist: z.string(),
  durationMs: z.number(),
});

/** Track metadata, read from storage. The middle hop of the playlist example. */
export const metadata = defineService({
  name: 'metadata',
  version: 1,
  methods: {
    tracks: method({
      input: z.object({ ids: z.array(z.string()).max(100), latencyMs: z.number().int().optional() }),
      idempotent: true,
      handler: async ({ ids, latencyMs }, ctx) => {
        const remainingMs = Math.floor(ctx.remainingMs());
        // ctx.client() passes on what is left of the deadline, the cancel
        // signal and the trace context, without any code here.
        const store = ctx.client(storageClientOrThrow());
        const rows = await Promise.all(
          ids.map((key) => store.read({ key, ...(latencyMs === undefined ? {} : { latencyMs }) })),
        );
        return {
          tracks: rows.map(({ key, title, artist, durationMs }) => ({ id: key, title, artist, durationMs })),
          deadlines: { metadata: remainingMs, storage: Math.min(...rows.map((r) => r.remainingMs)) },
        };
      },
    }),
  },
});
