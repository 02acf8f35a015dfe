import { type Reply, Status, TransportClient, TransportServer } from '@courier/transport';
import { benchClientSecurity, benchServerSecurity } from '../security/curve-env.js';
import type { EchoClient, EchoServer } from './echo.js';

/** Long enough never to fire in a healthy run; a reply that misses it fails the benchmark. */
const DEADLINE_MS = 30_000;
const METHOD = 'bench.echo';

/** An echo server on @courier/transport with default options. */
export async function listenCourierEcho(bind: string): Promise<EchoServer> {
  const server = await TransportServer.listen({
    bind,
    security: benchServerSecurity(),
    onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
  });
  return { endpoint: server.endpoints[0]!, close: () => server.close() };
}

/** An echo client on @courier/transport with default options. */
export function connectCourierEcho(endpoint: string): EchoClient {
  const client = new TransportClient({ connect: endpoint, security: benchClientSecurity() });
  return {
    // A plain then() rather than an async function: the raw baseline returns
    // its promise directly, so this adds no more than the status check.
    echo: (body) =>
      client.request({ method: METHOD, body: [body], deadlineMs: DEADLINE_MS }).then(echoedBody),
    close: () => client.close(),
  };
}

function echoedBody(reply: Reply): Buffer {
  if (reply.status !== Status.OK) {
    throw new Error(`echo failed: ${reply.status} ${reply.message ?? ''}${reply.local ? ' (local)' : ''}`);
  }
  return reply.body[0]!;
}
