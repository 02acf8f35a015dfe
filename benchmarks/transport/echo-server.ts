/**
 * Child process: one echo server (`courier` or `raw`, argv[2]) bound to a
 * free loopback port. Started by run.ts; reports its endpoint when ready.
 */
import { notifyReady, serveParent } from '../lib/child-process.js';
import { listenCourierEcho } from './courier-echo.js';
import { type EchoServer, parseImpl } from './echo.js';
import { RawEchoServer } from './raw-echo.js';

const impl = parseImpl(process.argv[2]);
const bind = 'tcp://127.0.0.1:*';
const server: EchoServer =
  impl === 'courier' ? await listenCourierEcho(bind) : await RawEchoServer.listen(bind);

const handlers = {
  /** CPU time used so far, so the parent can work out this process's share per cell. */
  cpuUsage: (): NodeJS.CpuUsage => process.cpuUsage(),
  shutdown: () => server.close(),
};
export type ServerHandlers = typeof handlers;
export interface ServerReady {
  endpoint: string;
}

serveParent(handlers);
notifyReady({ endpoint: server.endpoint } satisfies ServerReady);
