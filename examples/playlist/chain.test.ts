import { CancelledError, type createClient, NotFoundError, testService } from '@courier/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadata } from '../metadata/service.js';
import { storage, storageStats } from '../metadata/storage.js';
import { connectStorage } from '../metadata/upstreams.js';
import { playlist } from './service.js';
import { connectMetadata } from './upstreams.js';

/** Polls a condition on the event loop (no fixed sleeps), failing after a bound. */
async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('examples: playlist → metadata → storage', () => {
  const stack: AsyncDisposable[] = [];
  let client: ReturnType<typeof createClient<typeof playlist>>;

  beforeAll(async () => {
    const store = await testService(storage);
    stack.push(store);
    const storageClient = connectStorage(store.server.endpoints);
    stack.push({ [Symbol.asyncDispose]: () => storageClient.$close() });
    const meta = await testService(metadata);
    stack.push(meta);
    const metadataClient = connectMetadata(meta.server.endpoints);
    stack.push({ [Symbol.asyncDispose]: () => metadataClient.$close() });
    const play = await testService(playlist);
    stack.push(play);
    client = play.client;
  });
  afterAll(async () => {
    for (const r of stack.reverse()) await r[Symbol.asyncDispose]();
  });

  it("carries the caller's deadline three hops down", async () => {
    const result = await client.get({ id: 'p1', latencyMs: 1 }, { deadlineMs: 2000 });
    expect(result.tracks.map((t) => t.id)).toEqual(['t1', 't3', 't4']);
    const { playlist: p, metadata: m, storage: s } = result.deadlines;
    expect(p).toBeLessThanOrEqual(2000);
    expect(m).toBeLessThanOrEqual(p);
    expect(s).toBeLessThanOrEqual(m);
    expect(s).toBeGreaterThan(0);
  });

  it('stops the downstream work when the caller cancels', async () => {
    const before = { ...storageStats };
    const controller = new AbortController();
    const call = client.get(
      { id: 'p2', latencyMs: 30_000 },
      { deadlineMs: 60_000, signal: controller.signal },
    );
    await waitFor(() => storageStats.started >= before.started + 2, 'storage reads to start');
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    // Both storage reads see their signal abort and stop, long before their 30 s.
    await waitFor(() => storageStats.aborted >= before.aborted + 2, 'storage reads to abort');
    expect(storageStats.completed).toBe(before.completed);
  });

  it('reports an unknown playlist as NOT_FOUND with details', async () => {
    const err = await client.get({ id: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).details).toEqual({ known: ['p1', 'p2'] });
  });
});
