import { describe, expect, it } from 'vitest';
import { createEmbeddings, randomQuery } from './embeddings.js';
import { isTopK, referenceTopK } from './reference.test-util.js';
import { topK } from './top-k.js';

describe('topK (TypeScript)', () => {
  const e = createEmbeddings({ rows: 3000, dims: 64, seed: 1 });

  it('finds the same top k as sorting every score', () => {
    for (let seed = 0; seed < 20; seed++) {
      const query = randomQuery(64, seed);
      const k = 1 + (seed % 25);
      const got = topK(e, query, k);
      const want = referenceTopK(e, query, k);
      // Within float32 rounding (invNorms are float32), so a near-tie may swap.
      expect(isTopK(got, want, 1e-6)).toBe(true);
    }
  });

  it('returns every row, best first, when k exceeds the rows', () => {
    const small = createEmbeddings({ rows: 5, dims: 64 });
    const got = topK(small, randomQuery(64, 3), 50);
    expect(got.ids.toSorted()).toEqual([0, 1, 2, 3, 4]);
    expect(got.scores).toEqual(got.scores.toSorted((a, b) => b - a));
  });

  it('breaks ties by the lower id', () => {
    const dup = createEmbeddings({ rows: 4, dims: 64 });
    dup.matrix.copyWithin(64, 0, 64); // row 1 = row 0
    dup.invNorms[1] = dup.invNorms[0]!;
    const query = dup.matrix.slice(0, 64);
    expect(topK(dup, query, 2).ids).toEqual([0, 1]);
  });

  it('generates the same embeddings for the same seed', () => {
    const again = createEmbeddings({ rows: 3000, dims: 64, seed: 1 });
    expect(Buffer.from(again.matrix.buffer).equals(Buffer.from(e.matrix.buffer))).toBe(true);
    expect(e.matrix.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
