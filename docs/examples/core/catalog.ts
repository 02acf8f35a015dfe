// The service definition the other examples in this folder use (the one in packages/core/README.md).
import { defineService, method, NotFoundError } from '@courier/core';
import { z } from 'zod';

export const Track = z.object({ id: z.string(), title: z.string(), seconds: z.number().int() });
const tracks = new Map([['t1', { id: 't1', title: 'So What', seconds: 562 }]]);

export const catalog = defineService({
  name: 'catalog',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.string() }),
      output: Track,
      idempotent: true,
      handler: async ({ id }) => {
        const track = tracks.get(id);
        if (track === undefined) throw new NotFoundError(`no track ${id}`);
        return track;
      },
    }),
  },
  events: {
    trackAdded: z.object({ id: z.string(), addedAt: z.iso.datetime().transform((s) => new Date(s)) }),
  },
});
