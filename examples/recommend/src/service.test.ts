import { createClient, serve } from '@courier/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddings, randomQuery } from './embeddings.js';
import { isTopK, referenceTopK } from './reference.test-util.js';
import { DIMS, recommend } from './service.js';

// Quiet: the server's default logger reads this when it starts.
process.env.COURIER_LOG_LEVEL ??= 'warn';

describe('recommend service', () => {
  const embeddings = createEmbeddings({ rows: 2000, dims: DIMS, seed: 5 });
  let server: Awaited<ReturnType<typeof serve<typeof recommend>>>;
  let client: ReturnType<typeof createClient<typeof recommend>>;

  beforeAll(async () => {
    server = await serve(recommend, {
      bind: 'tcp://127.0.0.1:*',
      gracefulShutdown: { signals: false },
      pool: { size: 2, shared: embeddings },
    });
    client = createClient(recommend, { endpoints: server.endpoints });
  });
  afterAll(async () => {
    await client?.$close();
    await server?.close();
  });

  it('answers similar and similarNative with the true top k', async () => {
    const query = randomQuery(DIMS, 11);
    const want = referenceTopK(embeddings, query, 8);
    const ts = await client.similar({ query: Array.from(query), k: 8 });
    const native = await client.similarNative({ query: Array.from(query), k: 8 });
    expect(isTopK(ts, want)).toBe(true);
    expect(isTopK(native, want)).toBe(true);
  });

  it('takes the query as float32 bytes too', async () => {
    const query = randomQuery(DIMS, 12);
    const bytes = new Uint8Array(query.buffer);
    const fromBytes = await client.similarNative({ query: bytes, k: 3 });
    const fromArray = await client.similarNative({ query: Array.from(query), k: 3 });
    expect(fromBytes).toEqual(fromArray);
  });

  it('refuses a query of the wrong size before it reaches a worker', async () => {
    await expect(client.similar({ query: [1, 2, 3], k: 3 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('serves popular from the event loop', async () => {
    expect((await client.popular({ limit: 3 })).ids).toHaveLength(3);
  });
});
