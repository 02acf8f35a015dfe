/**
 * Child process: the core-bench service (`core`, default options) or the raw
 * zeromq.js echo (`raw`), argv[2], on a free loopback port.
 */
// First: it sets tracing up before core loads.
import './tracing-mode.js';
import { serve } from '@courier/core';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { RawEchoServer } from '../transport/raw-echo.js';
import { coreBench, parseCoreImpl } from './service.js';

const impl = parseCoreImpl(process.argv[2]);
const bind = 'tcp://127.0.0.1:*';
const server =
  impl !== 'raw'
    ? await serve(coreBench, { bind }).then((s) => ({ endpoint: s.endpoints[0]!, close: () => s.close() }))
    : await RawEchoServer.listen(bind);

const handlers = {
  cpuUsage: (): NodeJS.CpuUsage => process.cpuUsage(),
  /** Resident set size in bytes; collects garbage first when exposed, so it is what stays. */
  rss: (): number => {
    globalThis.gc?.();
    return process.memoryUsage.rss();
  },
  shutdown: () => server.close(),
};
export type CoreServerHandlers = typeof handlers;
export interface CoreServerReady {
  endpoint: string;
}

serveParent(handlers);
notifyReady({ endpoint: server.endpoint } satisfies CoreServerReady);
