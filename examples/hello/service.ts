import { defineService, method } from '@courier/core';
import { z } from 'zod';

/** The smallest useful Courier service: one method, typed end to end. */
export const hello = defineService({
  name: 'hello',
  version: 1,
  methods: {
    greet: method({
      input: z.object({ name: z.string().min(1) }),
      output: z.object({ message: z.string() }),
      idempotent: true,
      handler: async ({ name }) => ({ message: `Hello, ${name}!` }),
    }),
  },
});
