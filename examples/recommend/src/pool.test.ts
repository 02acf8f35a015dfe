import { createComputePool } from '@courier/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddings, randomQuery } from './embeddings.js';
import { isTopK, referenceTopK } from './reference.test-util.js';
import { DIMS, recommend } from './service.js';

describe('recommend in the worker pool', () => {
  const embeddings = createEmbeddings({ rows: 4000, dims: DIMS, seed: 9 });
  let pool: Awaited<ReturnType<typeof createComputePool>>;

  beforeAll(async () => {
    pool = await createComputePool(recommend, { size: 2, shared: embeddings });
  });
  afterAll(() => pool?.close());

  it('loads the TypeScript module and the native addon (no fallback)', () => {
    expect(pool.implementations).toEqual({ similar: 'module', similarNative: 'native' });
  });

  it('computes the right top k in TypeScript and in C++', async () => {
    for (let seed = 0; seed < 10; seed++) {
      const query = randomQuery(DIMS, seed);
      const k = 1 + seed * 3;
      const want = referenceTopK(embeddings, query, k);
      const [ts, native] = (await Promise.all([
        pool.run('similar', { query: query.slice(), k }),
        pool.run('similarNative', { query: query.slice(), k }),
      ])) as [typeof want, typeof want];
      expect(isTopK(ts, want)).toBe(true);
      expect(isTopK(native, want)).toBe(true);
    }
  });

  it('reports a bad native call as INTERNAL, not a crash', async () => {
    await expect(pool.run('similarNative', { query: new Float32Array(3), k: 5 })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    // The worker survived: the next call works.
    const query = randomQuery(DIMS, 1);
    await expect(pool.run('similarNative', { query, k: 1 })).resolves.toMatchObject({
      ids: [expect.any(Number)],
    });
  });
});
