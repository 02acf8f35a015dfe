import { defineService, method, NotFoundError } from '@courier/core';
import { z } from 'zod';
import { Track } from '../metadata/service.js';
import { metadataClientOrThrow } from './upstreams.js';

const PLAYLISTS: Record<string, { name: string; trackIds: string[] }> = {
  p1: { name: 'Late night', trackIds: ['t1', 't3', 't4'] },
  p2: { name: 'Kind of Blue', trackIds: ['t2', 't1'] },
};

/**
 * Playlists, with track details from the metadata service. The top of a
 * three-hop chain: caller → playlist → metadata → storage.
 */
export const playlist = defineService({
  name: 'playlist',
  version: 1,
  methods: {
    get: method({
      input: z.object({
        id: z.string(),
        /** Storage latency to simulate, to make deadlines and cancellation visible. */
        latencyMs: z.number().int().min(0).optional(),
      }),
      output: z.object({
        id: z.string(),
        name: z.string(),
        tracks: z.array(Track),
        /** The deadline each hop still had when the call reached it, in ms. */
        deadlines: z.object({ playlist: z.number(), metadata: z.number(), storage: z.number() }),
      }),
      idempotent: true,
      handler: async ({ id, latencyMs }, ctx) => {
        const remainingMs = Math.floor(ctx.remainingMs());
        const found = PLAYLISTS[id];
        if (found === undefined)
          throw new NotFoundError(`no playlist ${id}`, { details: { known: Object.keys(PLAYLISTS) } });
        const { tracks, deadlines } = await ctx
          .client(metadataClientOrThrow())
          .tracks({ ids: found.trackIds, ...(latencyMs === undefined ? {} : { latencyMs }) });
        ctx.log.info({ id, tracks: tracks.length }, 'playlist served');
        return { id, name: found.name, tracks, deadlines: { playlist: remainingMs, ...deadlines } };
      },
    }),
  },
});
