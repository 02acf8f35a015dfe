import { setTimeout as delay } from 'node:timers/promises';
import { defineService, method, NotFoundError } from '@courier/core';
import { z } from 'zod';

/** Simulated storage latency per read, in ms (a database or cache round trip). */
export const STORAGE_LATENCY_MS = Number(process.env.STORAGE_LATENCY_MS ?? 20);

const TRACKS: Record<string, { title: string; artist: string; durationMs: number }> = {
  t1: { title: 'Blue in Green', artist: 'Miles Davis', durationMs: 337_000 },
  t2: { title: 'So What', artist: 'Miles Davis', durationMs: 562_000 },
  t3: { title: 'Naima', artist: 'John Coltrane', durationMs: 261_000 },
  t4: { title: 'Peace Piece', artist: 'Bill Evans', durationMs: 401_000 },
};

/** Counts reads that ran to completion, so examples can show cancelled work stopping. */
export const storageStats = { started: 0, completed: 0, aborted: 0 };

/** The bottom of the chain: a key-value read with storage latency. */
export const storage = defineService({
  name: 'storage',
  version: 1,
  methods: {
    read: method({
      input: z.object({ key: z.string(), latencyMs: z.number().int().min(0).max(60_000).optional() }),
      idempotent: true,
      handler: async ({ key, latencyMs }, ctx) => {
        const remainingMs = Math.floor(ctx.remainingMs());
        storageStats.started++;
        try {
          // The signal aborts when the caller cancels or the deadline passes: stop working.
          await delay(latencyMs ?? STORAGE_LATENCY_MS, undefined, { signal: ctx.signal });
        } catch (err) {
          storageStats.aborted++;
          throw err;
        }
        storageStats.completed++;
        const track = TRACKS[key];
        if (track === undefined) throw new NotFoundError(`no track ${key}`);
        return { key, ...track, remainingMs };
      },
    }),
  },
});
