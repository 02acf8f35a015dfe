/**
 * A Courier service with metrics, under a mixed load, for trying the
 * Prometheus config and Grafana dashboard in this folder.
 *
 *   npm run observability     (no Docker needed)
 *   curl 127.0.0.1:9464/metrics
 *
 * `catalog.get` is fast and sometimes NOT_FOUND; `catalog.search` is slow and
 * narrow (4 at a time, 8 queued), so bursts shed and some calls expire.
 * Ctrl-C or SIGTERM drains the server (watch /readyz turn 503), closes the
 * client and the metrics listener, and exits: serve()'s default handling,
 * no shutdown code here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, defineService, method, NotFoundError, serve } from '@courier/core';
import { createMetrics } from '@courier/metrics';
import { z } from 'zod';

const catalog = defineService({
  name: 'catalog',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.number() }),
      idempotent: true,
      handler: async ({ id }) => {
        await sleep(Math.random() * 5);
        if (id % 10 === 0) throw new NotFoundError(`no item ${id}`);
        return { id, title: `item ${id}` };
      },
    }),
    search: method({
      input: z.object({ query: z.string() }),
      concurrency: 4,
      maxQueue: 8,
      timeoutMs: 500,
      handler: async ({ query }, ctx) => {
        await sleep(20 + Math.random() * 300, undefined, { signal: ctx.signal });
        return { query, hits: Math.floor(Math.random() * 100) };
      },
    }),
  },
});

const metrics = createMetrics();
const http = await metrics.listen({ port: Number(process.env.METRICS_PORT ?? 9464), host: '0.0.0.0' });
const server = await serve(catalog, { bind: 'tcp://127.0.0.1:*' });
const client = createClient(catalog, { endpoints: server.endpoints });
// It listens on every interface (Prometheus in Docker reaches it through the host); the
// printed URL is one a browser on this machine can open.
const url = http.url.replace('//0.0.0.0:', '//127.0.0.1:');
console.log(`serving ${server.endpoints.join(', ')}; metrics on ${url}/metrics`);

const ignore = () => {};

async function steady(): Promise<void> {
  for (let i = 1; client.$state !== 'closed'; i++) {
    await client.get({ id: i }).catch(ignore);
    await sleep(2);
  }
}

async function bursts(): Promise<void> {
  while (client.$state !== 'closed') {
    const size = 4 + Math.floor(Math.random() * 24);
    await Promise.all(
      Array.from({ length: size }, (_, i) => client.search({ query: `q${i}` }).catch(ignore)),
    );
    await sleep(200);
  }
}

void Promise.all([steady(), steady(), bursts()]);
