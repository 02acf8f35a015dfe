import { TransportServer, TransportClient, Status } from './packages/transport/src/index.js';
const server = await TransportServer.listen({ bind: 'tcp://127.0.0.1:*', onRequest: (r) => r.reply({ status: Status.OK, body: r.body }) });
console.log(server.endpoints);
const client = new TransportClient({ connect: server.endpoints[0]! });
const r = await client.request({ method: 'echo.x', body: [Buffer.from('hi')], deadlineMs: 1000 });
console.log(r, client.state);
let t = performance.now(); const N = 100000; let done = 0;
async function worker() { while (done < N) { done++; await client.request({ method: 'echo.x', body: [Buffer.alloc(64)], deadlineMs: 5000 }); } }
await Promise.all(Array.from({ length: 256 }, worker));
console.log('rps', N / ((performance.now() - t) / 1000));
t = performance.now(); done = 0;
await Promise.all(Array.from({ length: 1 }, worker)).then(()=>0);
await client.close(); await server.close();
console.log('closed');
