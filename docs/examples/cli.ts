// The TypeScript example of packages/cli/README.md: the CLI's commands and its benchmark, from code.
// Run it: npx tsx --conditions=courier-source docs/examples/cli.ts
import { formatReport, main, runBench } from '@courier/cli';
import { defineService, method, serve } from '@courier/core';
import { pino } from 'pino';
import { z } from 'zod';

const hello = defineService({
  name: 'hello',
  version: 1,
  methods: {
    greet: method({
      input: z.object({ name: z.string().min(1) }),
      handler: async ({ name }) => ({ message: `Hello, ${name}!` }),
    }),
  },
});
const server = await serve(hello, { bind: 'tcp://127.0.0.1:*', logger: pino({ level: 'warn' }) });
const endpoint = server.endpoints[0]!;

// Exactly what `courier call <endpoint> hello.greet '{"name":"Ada"}'` does; resolves to the exit code.
const code = await main(['call', endpoint, 'hello.greet', '{"name":"Ada"}']);
console.log(`exit code ${code}`); // 0, after printing { "message": "Hello, Ada!" }

const result = await runBench({
  endpoint,
  method: 'hello.greet',
  input: { name: 'bench' },
  concurrency: 16, // calls kept in flight
  durationMs: 1000,
  warmupMs: 200, // not measured
});
console.log(formatReport(result)); // the report `courier bench` prints
console.log(result.throughput, result.latencyMs.p99, result.errors); // calls/s, ms, failures by status

await server.close();
