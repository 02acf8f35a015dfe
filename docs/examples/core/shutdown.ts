// packages/core/README.md, "Serving", "Graceful shutdown" and "Diagnostics channels".
// Run it: npx tsx --conditions=courier-source docs/examples/core/shutdown.ts
import diagnosticsChannel from 'node:diagnostics_channel';
import { type ClientCallEnd, CoreChannels, createClient, type ServerLifecycle, serve } from '@courier/core';
import { pino } from 'pino';
import { catalog } from './catalog.js';

diagnosticsChannel.subscribe(CoreChannels.serverLifecycle, (message) => {
  const { event, service } = message as ServerLifecycle;
  console.log(`${service}: ${event}`); // started, draining, stopped
});
diagnosticsChannel.subscribe(CoreChannels.clientCallEnd, (message) => {
  const { method, status, durationSeconds, attempts } = message as ClientCallEnd;
  console.log(method, status, durationSeconds, attempts);
});

const server = await serve(catalog, {
  bind: ['tcp://127.0.0.1:*', 'inproc://catalog'],
  logger: pino({ level: 'warn' }),
  // Per deployment, without touching the definition.
  overrides: { concurrency: 256, methods: { get: { concurrency: 32, maxQueue: 128, timeoutMs: 1000 } } },
  gracefulShutdown: { graceMs: 5000, signals: ['SIGTERM'] },
  heartbeatIntervalMs: 1000, // socket options pass through to the transport
});
console.log(server.endpoints, server.stats());

await using client = createClient(catalog, { endpoints: ['inproc://catalog'] });
await client.get({ id: 't1' }); // get OK 0.0012 1

// What SIGTERM does: drain (clients are told, new calls get UNAVAILABLE), wait up to
// graceMs for accepted calls, cancel the rest, close the socket and the worker pool.
await server.close();
