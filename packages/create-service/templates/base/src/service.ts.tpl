import { defineService, method } from '@courier/core';
import { z } from 'zod';
{{#compute}}
import { Primes } from './primes.js';
{{/compute}}

/**
 * The {{name}} service: its methods, their input/output schemas and options.
 * Clients are typed from this definition: `createClient({{camel}}, { endpoints })`.
 */
export const {{camel}} = defineService({
  name: '{{name}}',
  version: 1,
  methods: {
    /** I/O-bound: runs on the event loop, many calls at once. */
    greet: method({
      description: 'Greets someone by name.',
      input: z.object({ name: z.string().min(1).max(100) }),
      output: z.object({ message: z.string() }),
      idempotent: true,
      handler: async ({ name }, ctx) => {
        ctx.log.debug({ name }, 'greeting');
        return { message: `Hello, ${name}!` };
      },
    }),
{{#compute}}
    /** CPU-bound: runs in the service's worker pool, so the event loop stays free. */
    countPrimes: method({
      description: 'Counts the primes below a limit (a stand-in for real CPU work).',
      input: z.object({ below: z.number().int().min(2).max(50_000_000) }),
      output: Primes,
      idempotent: true,
      compute: { module: new URL('./primes.worker.js', import.meta.url), export: 'countPrimes' },
    }),
{{/compute}}
  },
});
