/**
 * Child process: the recommend service on a free loopback port, its
 * `similar` method either in a worker pool (`pool <size>`) or inline on the
 * event loop (`inline`). Measures its own event-loop lag on request.
 *
 *   server.ts pool <size> <rows> | server.ts inline <rows>
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Server, serve } from '@courier/core';
import { createEmbeddings } from '../../examples/recommend/src/embeddings.js';
import { DIMS, recommend } from '../../examples/recommend/src/service.js';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { inlineRecommend } from './inline-service.js';

// The server's default logger reads this: keep "serving"/"stopped" lines out of the report.
process.env.COURIER_LOG_LEVEL ??= 'warn';

const [mode, ...rest] = process.argv.slice(2);
const rows = Number(rest.at(-1));
const embeddings = createEmbeddings({ rows, dims: DIMS });
const bind = 'tcp://127.0.0.1:*';
const gracefulShutdown = { signals: false as const };

let server: Server;
if (mode === 'pool') {
  const size = Number(rest[0]);
  server = await serve(recommend, { bind, gracefulShutdown, pool: { size, shared: embeddings } });
} else if (mode === 'inline') {
  server = await serve(inlineRecommend(embeddings), { bind, gracefulShutdown });
} else {
  throw new Error(`unknown mode ${mode}: expected pool or inline`);
}

// 1 ms resolution: fine enough to see a 2 ms timer's worth of lag.
const lag = monitorEventLoopDelay({ resolution: 1 });

const handlers = {
  lagStart: () => {
    lag.reset();
    lag.enable();
  },
  /** Event-loop delay since lagStart, in ms. */
  lagStop: () => {
    lag.disable();
    return { p50Ms: lag.percentile(50) / 1e6, p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 };
  },
  stats: () => server.stats(),
  shutdown: () => server.close(),
};
export type ServerHandlers = typeof handlers;
export interface ServerReady {
  endpoint: string;
}

serveParent(handlers);
notifyReady({ endpoint: server.endpoints[0]! } satisfies ServerReady);
