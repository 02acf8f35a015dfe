import { defineService, method } from '@courier/core';
import { z } from 'zod';

export const greeter = defineService({
  name: 'greeter',
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
