import { defineService, method } from '@courier/core';
import { z } from 'zod';

export const TrackAdded = z.object({
  playlistId: z.string(),
  trackId: z.string(),
  position: z.number().int(),
});

/** What the handlers need of the publisher (a `Publisher<typeof library>` fits). */
export interface LibraryEvents {
  publish(
    name: 'trackAdded',
    payload: z.input<typeof TrackAdded>,
    options?: { meta?: Record<string, string> },
  ): Promise<unknown>;
}

let events: LibraryEvents | undefined;

/** Gives the handlers the publisher to announce changes on (set by main or a test). */
export function usePublisher(publisher: LibraryEvents): void {
  events = publisher;
}

const playlists = new Map<string, string[]>();

/**
 * A service that publishes an event whenever its state changes: subscribers
 * (search indexing, notifications, caches) react without being called.
 */
export const library = defineService({
  name: 'library',
  version: 1,
  methods: {
    addTrack: method({
      input: z.object({ playlistId: z.string(), trackId: z.string() }),
      output: z.object({ position: z.number() }),
      handler: async ({ playlistId, trackId }, ctx) => {
        const tracks = playlists.get(playlistId) ?? [];
        tracks.push(trackId);
        playlists.set(playlistId, tracks);
        const position = tracks.length - 1;
        // At-most-once: a subscriber that is disconnected right now misses it.
        await events?.publish(
          'trackAdded',
          { playlistId, trackId, position },
          { meta: { traceparent: ctx.traceparent } },
        );
        return { position };
      },
    }),
  },
  events: { trackAdded: TrackAdded },
});
