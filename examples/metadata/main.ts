// Runs storage and metadata in one process:
//   npx tsx --conditions=courier-source examples/metadata/main.ts
import { serve } from '@courier/core';
import { metadata } from './service.js';
import { storage } from './storage.js';
import { connectStorage } from './upstreams.js';

const storageServer = await serve(storage, { bind: process.env.STORAGE_BIND ?? 'tcp://127.0.0.1:7102' });
const upstream = connectStorage(storageServer.endpoints);
const server = await serve(metadata, { bind: process.env.BIND ?? 'tcp://127.0.0.1:7101' });
console.log(`storage listening on ${storageServer.endpoints.join(', ')}`);
console.log(`metadata listening on ${server.endpoints.join(', ')}`);

// serve() drains both servers on SIGTERM/SIGINT; then close the client between them.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.close();
    await upstream.$close();
    await storageServer.close();
  });
}
