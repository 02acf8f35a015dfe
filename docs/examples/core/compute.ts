// packages/core/README.md, "Compute methods": CPU-bound work in the service's worker pool.
// Run it: npx tsx --conditions=courier-source docs/examples/core/compute.ts
import { createClient, defineService, method, nativeCompute, serve } from '@courier/core';
import { z } from 'zod';
import type { Weights } from './rank.worker.js';

const RankInput = z.object({
  items: z.array(z.number().int().min(0)),
  top: z.number().int().min(1).default(3),
});

export const ranker = defineService({
  name: 'ranker',
  version: 1,
  methods: {
    rank: method({
      input: RankInput, // validated on the event loop, before the task is queued
      output: z.array(z.number()),
      idempotent: true,
      timeoutMs: 5000, // past it the worker running the task is terminated and replaced
      compute: { module: new URL('./rank.worker.js', import.meta.url), export: 'rank' },
    }),
  },
});

// The same method through a native (N-API) addon, falling back to the JavaScript module.
export const rankNative = method({
  input: RankInput,
  output: z.array(z.number()),
  compute: nativeCompute({
    addon: new URL('../build/Release/ranker.node', import.meta.url),
    export: 'rank',
    fallback: { module: new URL('./rank.worker.js', import.meta.url), export: 'rank' },
    build: 'npm run build:addon',
  }),
});

// Shared with every worker once, at start; a SharedArrayBuffer is shared, not copied.
const weights: Weights = { values: new Float64Array(new SharedArrayBuffer(8 * 1000)) };
for (let i = 0; i < weights.values.length; i++) weights.values[i] = Math.sin(i);

const server = await serve(ranker, {
  bind: 'tcp://127.0.0.1:*',
  pool: { size: 2, maxQueue: 64, idleTimeoutMs: 30_000, shared: weights },
});
const client = createClient(ranker, { endpoints: server.endpoints });
console.log(await client.rank({ items: [1, 2, 3, 4, 5, 6, 7, 8] })); // [ 8, 2, 1 ]
console.log(server.stats().pool); // { threads, busy, queued }
await client.$close();
await server.close();
