import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shutdownCoordinator } from '@courier/core';
import type { AnyRegistry } from './collected.js';
import type { Readiness } from './live-servers.js';

/** Where the metrics endpoint listens. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one (read it from `url`). @default 9464 */
  port?: number;
  /**
   * Interface to bind. The default keeps the endpoint private to the host;
   * in a container, pass `'0.0.0.0'` so Prometheus and the kubelet reach it.
   * @default '127.0.0.1'
   */
  host?: string;
}

/** A running metrics endpoint. */
export interface MetricsEndpoint extends AsyncDisposable {
  /**
   * The base URL, e.g. `http://127.0.0.1:9464`; append `/metrics`, `/healthz`
   * or `/readyz`. Listening on a wildcard (`0.0.0.0`, `::`), it names the
   * loopback, so it can be opened on this host.
   */
  readonly url: string;
  /** Stops listening and closes open connections (Prometheus keeps its connection alive). */
  close(): Promise<void>;
}

/** The default port, the one OpenTelemetry's Prometheus exporter uses. */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * Serves, with node:http and no framework:
 * - `GET /metrics`: the registry's exposition, in `registry.contentType`;
 * - `GET /healthz`: 200 while the process runs (a liveness probe);
 * - `GET /readyz`: 200 while a service is started and not draining, else 503
 *   (a readiness probe: Kubernetes stops routing to a draining pod).
 */
export async function listenHttp(
  registry: AnyRegistry,
  readiness: () => Readiness,
  options: ListenOptions = {},
): Promise<MetricsEndpoint> {
  const { port = DEFAULT_METRICS_PORT, host = '127.0.0.1' } = options;
  const server = createServer((req, res) => {
    void handle(registry, readiness, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard address is where it listens, not a URL anyone can open: name the loopback instead.
  const reachable =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const hostPart = address.family === 'IPv6' ? `[${reachable}]` : reachable;
  let closed: Promise<void> | undefined;
  // Closed last on a signal (after the servers drained, so /readyz answers 503 meanwhile):
  // an open listener alone would keep the process alive after serve() has stopped.
  const unregister = shutdownCoordinator.register({
    phase: 'resources',
    name: 'metrics endpoint',
    close: () => close(),
  });
  const close = (): Promise<void> => {
    unregister();
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { url: `http://${hostPart}:${address.port}`, close, [Symbol.asyncDispose]: close };
}

async function handle(
  registry: AnyRegistry,
  readiness: () => Readiness,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return text(res, 405, 'method not allowed');
  }
  const path = (req.url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/metrics': {
      let body: string;
      try {
        body = await registry.metrics();
      } catch (err) {
        return text(res, 500, `could not collect metrics: ${(err as Error)?.message ?? err}`);
      }
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    case '/healthz':
      return text(res, 200, 'ok');
    case '/readyz': {
      const { ready, reason } = readiness();
      return text(res, ready ? 200 : 503, reason);
    }
    default:
      return text(res, 404, 'not found: try /metrics, /healthz or /readyz');
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(res.req.method === 'HEAD' ? undefined : `${body}\n`);
}
