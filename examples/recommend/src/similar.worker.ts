/**
 * The TypeScript implementation of `similar`, run in the service's worker
 * pool. A plain function: the pool passes it the validated input and the
 * embeddings it shares with every worker.
 */
import type { ComputeFunction } from '@courier/core';
import type { Embeddings } from './embeddings.js';
import { type Matches, topK } from './top-k.js';

export interface SimilarInput {
  readonly query: Float32Array;
  readonly k: number;
}

export const similar: ComputeFunction<SimilarInput, Matches, Embeddings> = ({ query, k }, embeddings) =>
  topK(embeddings, query, k);
