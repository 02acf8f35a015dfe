// npx tsx --conditions=courier-source examples/hello/main.ts
import { createClient, serve } from '@courier/core';
import { hello } from './service.js';

const server = await serve(hello, { bind: process.env.BIND ?? 'tcp://127.0.0.1:7001' });
console.log(`hello listening on ${server.endpoints.join(', ')}`);

// Call it once through a client typed from the same definition.
const client = createClient(hello, { endpoints: server.endpoints });
console.log((await client.greet({ name: 'Courier' })).message);
await client.$close();
// The server keeps serving until SIGTERM/SIGINT, then drains and exits.
