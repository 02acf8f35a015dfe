// The main example of packages/transport/README.md, type-checked by `npm run typecheck`.
// Run it: npx tsx --conditions=courier-source docs/examples/transport.ts
import { msgpack, Status, TransportClient, TransportServer } from '@courier/transport';

const server = await TransportServer.listen({
  bind: 'tcp://127.0.0.1:*',
  heartbeatIntervalMs: 1000,
  onRequest: (req) => {
    // Called once per valid request; reply exactly once, now or later.
    if (req.method !== 'echo.say') {
      req.reply({ status: Status.NOT_FOUND, message: `no method ${req.method}` });
      return;
    }
    const timer = setTimeout(() => req.reply({ status: Status.OK, body: req.body }), 10);
    // The caller cancelled, its deadline passed, it was lost, or the server is closing.
    req.signal.addEventListener('abort', () => clearTimeout(timer));
  },
});

const client = new TransportClient({ connect: server.endpoints[0]! });
client.on('state', (to, from) => console.log(`server ${from} -> ${to}`));

// request() never rejects: it resolves with the server's reply or one made up locally.
const reply = await client.request({
  method: 'echo.say',
  body: [msgpack.pack({ text: 'hi' })],
  deadlineMs: 1000,
  meta: { caller: 'docs' },
});
if (reply.status === Status.OK) console.log(msgpack.unpack(reply.body[0]!)); // { text: 'hi' }

const late = await client.request({ method: 'echo.say', body: [], deadlineMs: 1 });
console.log(late.status, late.local, late.message); // 504 true 'no reply within 1 ms'

await client.close(); // in-flight requests end with 499 CANCELLED; the server is told
server.drain(); // clients are told to send new requests elsewhere
await server.close(); // what is still in flight gets 499 CANCELLED
