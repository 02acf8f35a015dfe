/**
 * Runs the recommend service.
 *
 *   npm start -w @courier/example-recommend
 *
 * Environment: RECOMMEND_BIND (default tcp://127.0.0.1:7300), RECOMMEND_ROWS
 * (default 200000), RECOMMEND_POOL_SIZE (default: one worker per CPU).
 * SIGINT/SIGTERM close it gracefully.
 */
import { serve } from '@courier/core';
import { createEmbeddings } from './embeddings.js';
import { DIMS, recommend } from './service.js';

const bind = process.env.RECOMMEND_BIND ?? 'tcp://127.0.0.1:7300';
const rows = Number(process.env.RECOMMEND_ROWS ?? 200_000);
const size =
  process.env.RECOMMEND_POOL_SIZE === undefined ? undefined : Number(process.env.RECOMMEND_POOL_SIZE);

// Built once, in SharedArrayBuffers: every pool worker reads this memory in place.
const embeddings = createEmbeddings({ rows, dims: DIMS });
const server = await serve(recommend, { bind, pool: { size, shared: embeddings } });
console.log(`recommend: ${rows} x ${DIMS} embeddings in shared memory`);
console.log(`recommend listening on ${server.endpoints.join(', ')}`);
