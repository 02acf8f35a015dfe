import { readFileSync } from 'node:fs';
import { Status, TransportServer } from '@courier/transport';
import * as zmq from 'zeromq';
import { notifyReady, serveParent } from '../lib/child-process.js';

/**
 * The server side of the junk-traffic RSS run (issue #12, finding 7): a
 * Courier TransportServer echoing bodies, or a plain zeromq.js ROUTER echoing
 * whole messages, chosen by argv[2]. The parent reads this process's RSS.
 */
const mode = process.argv[2] === 'zmq' ? 'zmq' : 'courier';
let endpoint: string;
if (mode === 'courier') {
  const server = await TransportServer.listen({
    bind: 'tcp://127.0.0.1:*',
    // RSS_RCVHWM: the message count libzmq may queue per peer (before #12: 10000).
    ...(process.env.RSS_RCVHWM === undefined ? {} : { receiveHighWaterMark: Number(process.env.RSS_RCVHWM) }),
    onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
  });
  endpoint = server.endpoints[0]!;
} else {
  const sock = new zmq.Router({
    linger: 0,
    ...(process.env.RSS_RCVHWM === undefined ? {} : { receiveHighWaterMark: Number(process.env.RSS_RCVHWM) }),
  });
  await sock.bind('tcp://127.0.0.1:*');
  endpoint = sock.lastEndpoint!;
  void (async () => {
    for await (const msg of sock) await sock.send(msg).catch(() => {});
  })();
}

/** RSS and heap in MB, as /proc and V8 see them. */
function memory() {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1e5) / 10;
  return { rss: Math.round(rssKb / 102.4) / 10, heap: mb(m.heapUsed), external: mb(m.external) };
}

serveParent({
  memory,
  gc: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return memory();
  },
});
notifyReady({ endpoint });
