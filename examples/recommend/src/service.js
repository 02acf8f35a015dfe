/**
 * The recommend service's definition, shared by its server and its clients.
 *
 * - `similar`: the k items most similar to a query vector, computed in
 *   TypeScript in the worker pool;
 * - `similarNative`: the same, computed by a C++ addon (build/Release/recommend.node)
 *   through the native-addon hook, also in the pool;
 * - `popular`: an I/O-bound method that awaits a short timer (a cache read),
 *   on the event loop, to show what compute does (or does not do) to its neighbours.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineService, method, nativeCompute } from '@courier/core';
import { z } from 'zod';
/** Dimensions of every embedding and query. */
export const DIMS = 64;
/** How long `popular`'s pretend read takes, in ms. */
export const POPULAR_READ_MS = 2;
const POPULAR = Array.from({ length: 100 }, (_, i) => (i * 7919) % 200_000);
/**
 * A query vector: an array of DIMS numbers, or their float32 little-endian
 * bytes (4 × DIMS, cheaper to send). Either way the handler gets a Float32Array.
 */
const Query = z
    .union([z.array(z.number()).length(DIMS), z.instanceof(Uint8Array).refine((b) => b.byteLength === DIMS * 4)], {
    error: `query must be ${DIMS} numbers, or ${DIMS * 4} bytes of little-endian float32`,
})
    .transform((q) => (Array.isArray(q) ? Float32Array.from(q) : bytesToFloats(q)));
const SimilarInput = z.object({ query: Query, k: z.number().int().min(1).max(100).default(10) });
const Matches = z.object({ ids: z.array(z.number().int()), scores: z.array(z.number()) });
export const recommend = defineService({
    name: 'recommend',
    version: 1,
    description: 'Items similar to a query vector, and the popular ones',
    methods: {
        similar: method({
            description: 'Top-k cosine similarity, in TypeScript, in the worker pool',
            input: SimilarInput,
            output: Matches,
            idempotent: true,
            timeoutMs: 5_000,
            compute: { module: new URL('./similar.worker.js', import.meta.url), export: 'similar' },
        }),
        similarNative: method({
            description: 'Top-k cosine similarity, in C++ (N-API addon), in the worker pool',
            input: SimilarInput,
            output: Matches,
            idempotent: true,
            timeoutMs: 5_000,
            compute: nativeCompute({
                addon: new URL('../build/Release/recommend.node', import.meta.url),
                export: 'topK',
                build: 'npm run build:addon -w @courier/example-recommend',
            }),
        }),
        popular: method({
            description: 'The most popular items (an I/O-bound read)',
            input: z.object({ limit: z.number().int().min(1).max(100).default(10) }),
            output: z.object({ ids: z.array(z.number().int()) }),
            idempotent: true,
            handler: async ({ limit }, ctx) => {
                // Stands in for a cache or database read: the event loop is free meanwhile.
                await sleep(POPULAR_READ_MS, undefined, { signal: ctx.signal });
                return { ids: POPULAR.slice(0, limit) };
            },
        }),
    },
});
function bytesToFloats(bytes) {
    const floats = new Float32Array(DIMS);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < DIMS; i++)
        floats[i] = view.getFloat32(i * 4, true);
    return floats;
}
//# sourceMappingURL=service.js.map