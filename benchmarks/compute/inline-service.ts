/**
 * The recommend service with `similar` run inline, on the event loop, as a
 * plain handler calling the same TypeScript top-k: what a service looks like
 * before it offloads. Same name and wire methods as the pooled service, so
 * one client drives both.
 */
import { defineService, method } from '@courier/core';
import type { Embeddings } from '../../examples/recommend/src/embeddings.js';
import { recommend } from '../../examples/recommend/src/service.js';
import { topK } from '../../examples/recommend/src/top-k.js';

export function inlineRecommend(embeddings: Embeddings) {
  const { similar, popular } = recommend.methods;
  return defineService({
    name: recommend.name,
    version: recommend.version,
    methods: {
      similar: method({
        input: similar.input,
        output: similar.output!,
        handler: ({ query, k }) => topK(embeddings, query, k),
      }),
      popular,
    },
  });
}
